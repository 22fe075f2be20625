-- A view over the raw file, the only model that reads it: one row per line the reader parsed,
-- numbered in file order, the eight fields as read under one name per field whatever the
-- layout (I or II), and a fingerprint of the line. DuckDB inlines the view into each query,
-- so the load streams the file as before; lines the CSV reader cannot split are counted by
-- stg_online_retail__parser_rejects.
{{ config(materialized='view') }}

{%- set col = retail_columns() %}

with

source as (

    select * from {{ retail_raw_lines(rejects='online_retail_lines') }}

),

final as (

    select
        {{ retail_line_number(col) }} as line_number,
        "{{ col.invoice_no }}" as invoice_no_raw,
        "{{ col.stock_code }}" as stock_code_raw,
        "{{ col.description }}" as description_raw,
        "{{ col.quantity }}" as quantity_raw,
        "{{ col.invoice_date }}" as invoice_date_raw,
        "{{ col.unit_price }}" as unit_price_raw,
        "{{ col.customer_id }}" as customer_id_raw,
        "{{ col.country }}" as country_raw,
        {{ retail_line_hash(col) }} as line_hash
    from source

)

select * from final
