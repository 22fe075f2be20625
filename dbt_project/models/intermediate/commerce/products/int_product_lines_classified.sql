-- Every store's product lines (stg_<store>__product_lines) with the commerce rules applied: the
-- same reasons as the order lines (macros/commerce_rules.sql), so a product's revenue and a
-- customer's spend per product add up to the customer's monetary.
{{ config(materialized='view') }}
{%- set columns = [
    'store', 'order_id', 'order_type', 'customer_id', 'country', 'order_date', 'product_id',
    'description', 'is_service_line', 'invalid_fields', 'has_positive_quantity_and_price',
    'n_lines', 'units', 'line_value', 'min_unit_price', 'max_unit_price',
] | join(', ') %}

with

product_lines as (

    {% for store in commerce_stores() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select {{ columns }} from {{ ref('stg_' ~ store ~ '__product_lines') }}
    {%- endfor %}

),

as_of as (

    select * from {{ ref('int_store_as_of_dates') }}

),

classified as (

    select
        product_lines.*,
        {{ commerce_reason_as_of(commerce_intrinsic_reason(), 'product_lines.order_date', 'as_of.as_of_date') }}
            as reason
    from (
        select
            *,
            false as is_exact_duplicate,
            false as is_conflicting_duplicate,
            false as is_missing_customer
        from product_lines
    ) as product_lines
    inner join as_of
        on product_lines.store = as_of.store

),

final as (

    select
        store,
        order_id,
        order_type,
        customer_id,
        country,
        order_date,
        product_id,
        description,
        is_service_line,
        reason,
        {{ commerce_counts_in_monetary('reason', 'is_service_line') }} as counts_in_monetary,
        n_lines,
        units,
        line_value,
        min_unit_price,
        max_unit_price
    from classified

)

select * from final
