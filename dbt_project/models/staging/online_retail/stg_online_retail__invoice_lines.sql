-- A view: one row per raw line, for looking up single lines. The build itself never reads
-- line by line; stg_online_retail__line_groups loads the file in one grouped pass with the same
-- macros.
{{ config(materialized='view') }}

{%- set col = retail_columns() %}
{%- set types = col.types %}

with

numbered as (

    select * from {{ ref('stg_online_retail__raw_lines') }}

),

typed as (

    select
        line_number,
        {{ retail_text('invoice_no_raw') }} as invoice_no,
        {{ retail_text('stock_code_raw') }} as stock_code,
        cast(description_raw as {{ dbt.type_string() }}) as description,
        {{ retail_quantity('quantity_raw', types.get('quantity', 'VARCHAR')) }} as quantity,
        {{ parse_retail_timestamp(retail_text('invoice_date_raw')) }} as invoiced_at,
        {{ retail_unit_price('unit_price_raw', types.get('unit_price', 'VARCHAR')) }} as unit_price,
        {{ retail_customer_id('customer_id_raw', types.get('customer_id', 'VARCHAR')) }} as customer_id,
        nullif({{ retail_text('country_raw') }}, '') as country,
        {{ retail_is_missing_customer('customer_id_raw') }} as is_missing_customer,
        row_number() over (
            partition by
                invoice_no_raw, stock_code_raw, description_raw, quantity_raw,
                invoice_date_raw, unit_price_raw, customer_id_raw, country_raw
            order by line_number
        ) > 1 as is_exact_duplicate
    from numbered

),

final as (

    select
        line_number,
        invoice_no,
        stock_code,
        description,
        quantity,
        invoiced_at,
        cast(invoiced_at as date) as invoice_date,
        unit_price,
        customer_id,
        country,
        is_missing_customer,
        is_exact_duplicate,
        {{ retail_invalid_fields(
            'invoice_no', 'quantity is null', 'invoiced_at', 'unit_price is null', 'customer_id',
            'is_missing_customer',
        ) }} as invalid_fields
    from typed

)

select * from final
