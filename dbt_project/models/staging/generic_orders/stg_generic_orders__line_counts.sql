-- One row: the orders file's raw lines for the commerce reconciliation, counted apart from the
-- load (macros/csv_reader.sql csv_line_counts): raw lines = the file's non-blank lines less the
-- header and the line breaks inside quoted fields; what the reader did not return was rejected.
-- Parquet has rows, not lines, and no rejects.
{%- set is_parquet = orders_path().lower().endswith('.parquet') %}

with

{% if is_parquet -%}

file_lines as (

    select
        cast(null as {{ dbt.type_bigint() }}) as n_file_lines,
        cast(null as {{ dbt.type_bigint() }}) as n_line_breaks_in_records,
        count(*) as n_raw_lines
    from {{ ref('stg_generic_orders__lines') }}

),

{%- else -%}

    counted as (

        {{ csv_line_counts(source('generic_orders', 'order_lines'), 'generic_orders_counts', 'ORDERS_PATH') }}

    ),

    file_lines as (

        select
            n_file_lines,
            n_line_breaks_in_records,
            n_file_lines - n_line_breaks_in_records as n_raw_lines
        from counted

    ),

{%- endif %}

parsed as (

    select count(*) as n_parsed_lines
    from {{ ref('stg_generic_orders__lines') }}

),

rejects as (

    select count(*) as n_reject_records
    from {{ ref('stg_generic_orders__parser_rejects') }}

)

select
    cast('generic_orders' as {{ dbt.type_string() }}) as store,
    cast(file_lines.n_file_lines as {{ dbt.type_bigint() }}) as n_file_lines,
    cast(file_lines.n_line_breaks_in_records as {{ dbt.type_bigint() }}) as n_line_breaks_in_records,
    cast(file_lines.n_raw_lines as {{ dbt.type_bigint() }}) as n_raw_lines,
    cast(parsed.n_parsed_lines as {{ dbt.type_bigint() }}) as n_parsed_lines,
    cast(rejects.n_reject_records as {{ dbt.type_bigint() }}) as n_reject_records,
    cast(file_lines.n_raw_lines - parsed.n_parsed_lines as {{ dbt.type_bigint() }}) as n_rejected_lines
from file_lines
cross join parsed
cross join rejects
