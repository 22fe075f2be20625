-- A view over your orders file, the only model of the store that reads it: one row per line the
-- reader parsed, numbered in file order (line_number), each field of the store as text under
-- <field>_raw whatever the file calls it (null for an optional field the file has no column
-- for). The fields and which are required are the source's columns (_generic_orders__sources.yml);
-- the column each is read from is the one the orders_columns var (env ORDERS_COLUMNS) maps it to,
-- else the column of its own name (any case). A mapping that cannot be read so stops the build
-- with one line naming the file, the field and the rule: a field the store does not have, a
-- column the file does not have, one column for two fields, a required field without a column.
{{ config(materialized='view') }}

{%- set path = orders_path() %}
{%- set file = source('generic_orders', 'order_lines') %}
{%- set is_parquet = path.lower().endswith('.parquet') %}
{%- if is_parquet %}
    {%- do require_input_file(file, 'ORDERS_PATH') %}
    {%- set reader = 'read_parquet(' ~ file ~ ', file_row_number = true)' %}
{%- else %}
    {%- set reader = read_csv_file(file, 'generic_orders_lines', 'ORDERS_PATH') %}
{%- endif %}

{%- set fields = [] %}
{%- set columns = {} %}
{%- if execute %}
    {%- set declared = graph.sources.values() | selectattr('source_name', 'equalto', 'generic_orders') | first %}
    {%- set present = run_query('describe select * from ' ~ reader).columns[0].values()
        | reject('equalto', 'file_row_number' if is_parquet else none) | list %}
    {%- set mapping = var('orders_columns') or fromjson(env_var('ORDERS_COLUMNS', '{}')) %}
    {%- set refuse = 'data error: store generic_orders: ' %}
    {%- for name in declared.columns %}
        {%- do fields.append(name) %}
    {%- endfor %}
    {%- for field, column in mapping.items() %}
        {%- if field not in fields %}
            {{ exceptions.raise_compiler_error(refuse ~ "the column mapping names field '" ~ field
                ~ "', which the store does not have (fields: " ~ (fields | join(', ')) ~ ")") }}
        {%- elif column not in present %}
            {{ exceptions.raise_compiler_error(refuse ~ "field " ~ field ~ " is mapped to column '"
                ~ column ~ "', which the file does not have (columns: " ~ (present | join(', ')) ~ ")") }}
        {%- endif %}
    {%- endfor %}
    {%- set groups = {} %}
    {%- for field in fields %}
        {%- set meta = declared.columns[field].get('config', {}).get('meta') or declared.columns[field].get('meta') or {} %}
        {#- the mapped column, else the column of the field's own name (exact, else any case)
            that is not mapped to another field #}
        {%- set found = namespace(column=mapping.get(field)) %}
        {%- set unmapped = present | reject('in', mapping.values() | list) | list %}
        {%- for candidate in unmapped if not found.column and candidate == field %}
            {%- set found.column = candidate %}
        {%- endfor %}
        {%- for candidate in unmapped if not found.column and candidate | lower == field %}
            {%- set found.column = candidate %}
        {%- endfor %}
        {%- set column = found.column %}
        {%- if column %}
            {%- for other, taken in columns.items() if taken == column %}
                {{ exceptions.raise_compiler_error(refuse ~ "column '" ~ column ~ "' is mapped to two fields, "
                    ~ other ~ " and " ~ field ~ "; map each field to a column of its own") }}
            {%- endfor %}
            {%- do columns.update({field: column}) %}
        {%- elif meta.get('required') %}
            {{ exceptions.raise_compiler_error(refuse ~ "no column for field " ~ field ~ " (required):"
                ~ " the file has none named " ~ field ~ "; map one with --map " ~ field ~ "=<column>"
                ~ " (columns: " ~ (present | join(', ')) ~ ")") }}
        {%- endif %}
        {%- if meta.get('required_one_of') %}
            {%- do groups.setdefault(meta['required_one_of'], []).append(field) %}
        {%- endif %}
    {%- endfor %}
    {%- for group, members in groups.items() if not (members | select('in', columns) | list) %}
        {{ exceptions.raise_compiler_error(refuse ~ "no column for field " ~ (members | join(' or '))
            ~ " (one is required); map one with --map " ~ members[0] ~ "=<column> (columns: "
            ~ (present | join(', ')) ~ ")") }}
    {%- endfor %}
{%- endif %}

{%- set line_number = 'file_row_number + 1' if is_parquet else 'row_number() over ()' %}
{%- set field_columns = [] %}
{%- for field in fields %}
    {%- if field in columns %}
        {%- set text = 'trim(cast(' ~ adapter.quote(columns[field]) ~ ' as ' ~ dbt.type_string() ~ '))' %}
        {%- do field_columns.append(text ~ ' as ' ~ field ~ '_raw') %}
    {%- else %}
        {%- do field_columns.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ field ~ '_raw') %}
    {%- endif %}
{%- endfor %}

select
    {{ line_number }} as line_number{{ ',' if field_columns }}
    {{ field_columns | join(',\n    ') }}
from {{ reader }}
