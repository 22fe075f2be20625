-- One row: the raw file's non-blank lines read as plain text (no quoting, no columns), less the
-- header, counted apart from the load (stg_online_retail__line_counts). Null for Parquet, which
-- has rows, not lines. On Spark the count DuckDB took of the same file at ingestion.
{{ config(materialized='view') }}

with

{% if target.type == 'spark' -%}

final as (

    select cast(n_file_lines as {{ dbt.type_bigint() }}) as n_file_lines
    from {{ spark_ingested('file_line_count') }}

)

{%- elif retail_path().lower().endswith('.parquet') -%}

final as (

    select cast(null as {{ dbt.type_bigint() }}) as n_file_lines

)

{%- else -%}

    final as (

        select cast(count(text_line) - 1 as {{ dbt.type_bigint() }}) as n_file_lines
        from {{ plain_text_lines(source('online_retail', 'invoice_lines')) }}

    )

{%- endif %}

select * from final
