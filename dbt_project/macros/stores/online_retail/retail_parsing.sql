{#- A retail timestamp, read in the date order decided for the file. -#}
{% macro parse_retail_timestamp(text) -%}
    {{ parse_timestamp(text, day_first=retail_date_order() == 'day_first') }}
{%- endmacro %}

{#- The date order decided for the retail file, and how it is decided. -#}
{% macro retail_date_order() -%}
    {{ return(stored_date_order(ref('stg_online_retail__date_order'), decide_retail_date_order)) }}
{%- endmacro %}

{% macro decide_retail_date_order() -%}
    {{ return(decide_date_order(
        ref('stg_online_retail__raw_lines'), 'invoice_date_raw', 'InvoiceDate', 'retail_date_order')) }}
{%- endmacro %}

{#- Typing one raw column of the retail file. The reader gives text for CSV and native types for
    Parquet; an integer column is used as it is (its text would parse back to the same number),
    anything else goes through its text, so that every format types a value alike. -#}
{% macro retail_is_integer_type(source_type) -%}
    {{ return(source_type | upper in ['BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT', 'UBIGINT', 'UINTEGER', 'USMALLINT', 'UTINYINT', 'INT', 'LONG', 'SHORT', 'BYTE']) }}
{%- endmacro %}

{% macro retail_text(column) -%}
    trim(cast({{ column }} as {{ dbt.type_string() }}))
{%- endmacro %}

{#- A quantity is a whole number: `6.0` is 6, `6.5` is invalid (a cast to an integer would round
    it on DuckDB and refuse it on Spark). -#}
{% macro retail_quantity(column, source_type) -%}
    {%- if retail_is_integer_type(source_type) -%}
    cast({{ column }} as {{ dbt.type_bigint() }})
    {%- else -%}
    {{ parse_whole_number(retail_text(column)) }}
    {%- endif -%}
{%- endmacro %}

{#- Exact decimals: money sums must not depend on the order rows are added in. A binary float
    column is converted directly, which rounds to the same 6 decimals as its shortest text. -#}
{% macro retail_unit_price(column, source_type) -%}
    {%- if retail_is_integer_type(source_type) or source_type | upper in ['DOUBLE', 'FLOAT', 'REAL'] -%}
    {{ dbt.safe_cast(column, 'decimal(18, 6)') }}
    {%- else -%}
    {{ dbt.safe_cast(retail_text(column), 'decimal(18, 6)') }}
    {%- endif -%}
{%- endmacro %}

{% macro retail_customer_id(column, source_type) -%}
    {%- if retail_is_integer_type(source_type) -%}
    cast({{ column }} as {{ dbt.type_bigint() }})
    {%- else -%}
    {{ parse_whole_number(retail_text(column)) }}
    {%- endif -%}
{%- endmacro %}

{% macro retail_is_missing_customer(column) -%}
    nullif({{ retail_text(column) }}, '') is null
{%- endmacro %}

{% macro retail_invoice_type(invoice_no) -%}
    case
        when upper({{ invoice_no }}) like 'C%' then 'cancellation'
        when upper({{ invoice_no }}) like 'A%' then 'adjustment'
        else 'purchase'
    end
{%- endmacro %}

{#- Fields that are present but could not be typed; empty when the line is clean. Quantity and
    unit price come as conditions, since line groups keep only whether they parsed. -#}
{% macro retail_invalid_fields(invoice_no, quantity_is_invalid, invoiced_at, unit_price_is_invalid, customer_id, is_missing_customer) -%}
    concat_ws(', ',
        case when nullif({{ invoice_no }}, '') is null then 'InvoiceNo (empty)' end,
        case when {{ quantity_is_invalid }} then 'Quantity' end,
        case when {{ invoiced_at }} is null then 'InvoiceDate' end,
        case when {{ unit_price_is_invalid }} then 'UnitPrice' end,
        case when {{ customer_id }} is null and not {{ is_missing_customer }} then 'CustomerID' end
    )
{%- endmacro %}

{#- Position of each line in the file (1-based): Parquet numbers its rows, CSV in reading order. -#}
{% macro retail_line_number(col) -%}
    {%- if col.line_number_column == 'file_row_number' -%}
    file_row_number + 1
    {%- elif col.line_number_column -%}
    {{ adapter.quote(col.line_number_column) }}
    {%- else -%}
    row_number() over ()
    {%- endif -%}
{%- endmacro %}

{#- A fingerprint of a raw line (all eight fields as read), to recognise it in a later load. -#}
{% macro retail_line_hash(col) -%}
    {{ return(adapter.dispatch('retail_line_hash')(col)) }}
{%- endmacro %}

{% macro default__retail_line_hash(col) -%}
    md5(concat_ws('|',
        {%- for name in [col.invoice_no, col.stock_code, col.description, col.quantity, col.invoice_date, col.unit_price, col.customer_id, col.country] %}
        coalesce(cast({{ adapter.quote(name) }} as {{ dbt.type_string() }}), '<null>'){{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{% macro spark__retail_line_hash(col) -%}
    xxhash64(
        {%- for name in [col.invoice_no, col.stock_code, col.description, col.quantity, col.invoice_date, col.unit_price, col.customer_id, col.country] %}
        {{ adapter.quote(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro duckdb__retail_line_hash(col) -%}
    hash("{{ col.invoice_no }}", "{{ col.stock_code }}", "{{ col.description }}", "{{ col.quantity }}",
        "{{ col.invoice_date }}", "{{ col.unit_price }}", "{{ col.customer_id }}", "{{ col.country }}")
{%- endmacro %}

