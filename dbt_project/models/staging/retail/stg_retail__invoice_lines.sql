-- A view: one row per raw line, for looking up single lines. The build itself never reads
-- line by line; int_invoice_line_groups loads the file in one grouped pass with the same macros.
{{ config(materialized='view') }}

{%- set col = retail_columns() %}
{%- set types = col.types %}

with

source as (

    select * from {{ retail_raw_lines(rejects='retail_lines_view') }}

),

numbered as (

    select
        {{ retail_line_number(col) }} as line_number,
        *
    from source

),

typed as (

    select
        line_number,
        {{ retail_text('"' ~ col.invoice_no ~ '"') }} as invoice_no,
        {{ retail_text('"' ~ col.stock_code ~ '"') }} as stock_code,
        cast("{{ col.description }}" as varchar) as description,
        {{ retail_quantity('"' ~ col.quantity ~ '"', types.get('quantity', 'VARCHAR')) }} as quantity,
        {{ parse_retail_timestamp(retail_text('"' ~ col.invoice_date ~ '"')) }} as invoiced_at,
        {{ retail_unit_price('"' ~ col.unit_price ~ '"', types.get('unit_price', 'VARCHAR')) }} as unit_price,
        {{ retail_customer_id('"' ~ col.customer_id ~ '"', types.get('customer_id', 'VARCHAR')) }} as customer_id,
        nullif({{ retail_text('"' ~ col.country ~ '"') }}, '') as country,
        {{ retail_is_missing_customer('"' ~ col.customer_id ~ '"') }} as is_missing_customer,
        row_number() over (
            partition by
                "{{ col.invoice_no }}", "{{ col.stock_code }}", "{{ col.description }}",
                "{{ col.quantity }}", "{{ col.invoice_date }}", "{{ col.unit_price }}",
                "{{ col.customer_id }}", "{{ col.country }}"
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
        {{ retail_invalid_fields('invoice_no', 'quantity is null', 'invoiced_at', 'unit_price is null', 'customer_id', 'is_missing_customer') }}
            as invalid_fields
    from typed

)

select * from final
