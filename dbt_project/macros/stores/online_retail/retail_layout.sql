{#-
  The raw retail file comes in two column layouts (UCI Online Retail I and II). This macro
  returns the name the file uses for each logical column (and in `types` its type as read),
  failing with one clear line naming the file and the missing column when neither layout's
  name is present. `line_number_column` names the column that numbers the rows when the input
  has one (none for CSV on DuckDB, numbered in reading order).
  On Spark the input is the Parquet copy of the reader's output (macros/spark_ingest.sql), whose
  fields are named <logical>_raw and whose lines are numbered by line_number.
  scripts/stores/online_retail.py checks the same names before a build; keep the two lists the same.
-#}
{% macro retail_columns() -%}
    {%- set layouts = {
        'invoice_no': ['InvoiceNo', 'Invoice'],
        'stock_code': ['StockCode'],
        'description': ['Description'],
        'quantity': ['Quantity'],
        'invoice_date': ['InvoiceDate'],
        'unit_price': ['UnitPrice', 'Price'],
        'customer_id': ['CustomerID', 'Customer ID'],
        'country': ['Country'],
    } -%}
    {%- if not execute -%}
        {%- set names = {} -%}
        {%- for logical, candidates in layouts.items() -%}
            {%- do names.update({logical: candidates[0]}) -%}
        {%- endfor -%}
        {%- do names.update({'line_number_column': none, 'types': {}}) -%}
        {{ return(names) }}
    {%- endif -%}
    {%- if target.type == 'spark' -%}
        {%- set described = run_query('describe query select * from ' ~ spark_ingested('raw_lines')) -%}
        {%- set present_types = dict(zip(described.columns[0].values() | list, described.columns[1].values() | list)) -%}
        {%- set names = {'types': {}, 'line_number_column': 'line_number'} -%}
        {%- for logical in layouts -%}
            {%- do names.update({logical: logical ~ '_raw'}) -%}
            {%- do names['types'].update({logical: present_types[logical ~ '_raw']}) -%}
        {%- endfor -%}
        {{ return(names) }}
    {%- endif -%}
    {%- set described = run_query('describe select * from ' ~ retail_raw_lines(rejects='retail_layout')) -%}
    {%- set present = described.columns[0].values() | list -%}
    {%- set present_types = dict(zip(present, described.columns[1].values() | list)) -%}
    {%- set names = {'types': {}} -%}
    {%- for logical, candidates in layouts.items() -%}
        {%- set found = [] -%}
        {%- for candidate in candidates if candidate in present -%}
            {%- do found.append(candidate) -%}
        {%- endfor -%}
        {%- if found | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                retail_path() ~ ": missing column " ~ (candidates | join(' or '))
                ~ " (expected Online Retail layout I or II; found: " ~ (present | join(', ')) ~ ")") }}
        {%- endif -%}
        {%- do names.update({logical: found[0]}) -%}
        {%- do names['types'].update({logical: present_types[found[0]]}) -%}
    {%- endfor -%}
    {%- do names.update({'line_number_column': 'file_row_number' if 'file_row_number' in present else none}) -%}
    {{ return(names) }}
{%- endmacro %}
