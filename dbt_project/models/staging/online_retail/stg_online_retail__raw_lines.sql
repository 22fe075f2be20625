-- A view over the raw file, the only model that reads it: one row per line the reader parsed,
-- numbered in file order, the eight fields as read under one name per field whatever the
-- layout (I or II), and a fingerprint of the line. DuckDB inlines the view into each query,
-- so the load streams the file as before; lines the CSV reader cannot split are counted by
-- stg_online_retail__parser_rejects. On Spark the same rows come from the Parquet copy of the
-- reader's output (macros/spark_ingest.sql).
{{ config(materialized='view') }}

{%- set col = retail_columns() %}

with

source as (

    {% if target.type == 'spark' -%}
        select * from {{ spark_ingested('raw_lines') }}
    {%- else -%}
        select * from {{ retail_raw_lines(rejects='online_retail_lines') }}
    {%- endif %}

),

final as (

    select
        {{ retail_line_number(col) }} as line_number,
        {{ adapter.quote(col.invoice_no) }} as invoice_no_raw,
        {{ adapter.quote(col.stock_code) }} as stock_code_raw,
        {{ adapter.quote(col.description) }} as description_raw,
        {{ adapter.quote(col.quantity) }} as quantity_raw,
        {{ adapter.quote(col.invoice_date) }} as invoice_date_raw,
        {{ adapter.quote(col.unit_price) }} as unit_price_raw,
        {{ adapter.quote(col.customer_id) }} as customer_id_raw,
        {{ adapter.quote(col.country) }} as country_raw,
        {{ retail_line_hash(col) }} as line_hash
    from source

)

select * from final
