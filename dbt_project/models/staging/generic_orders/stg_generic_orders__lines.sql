-- Every line of the orders file the reader parsed, typed, with the facts the commerce rules read
-- (macros/commerce_rules.sql): one read of the file for the order lines and the product lines.
-- A line is a return (order type cancellation: it lowers the customer's spend, it is not an
-- order) when its quantity or amount is negative, whatever its status; else a canceled order
-- (counted nowhere) when its status is one of the orders_canceled_statuses var. Identical lines after the first are exact duplicates.
{{ config(materialized='table') }}
{%- set date_order = stored_date_order(ref('stg_generic_orders__date_order'), none) %}
{%- set canceled = var('orders_canceled_statuses') | map('lower') | map('replace', "'", "''") | list %}
{%- set raw_fields = ['order_id_raw', 'customer_id_raw', 'ordered_at_raw', 'product_id_raw',
    'quantity_raw', 'line_amount_raw', 'unit_price_raw', 'product_name_raw', 'category_raw',
    'country_raw', 'status_raw'] %}

with

raw_lines as (

    select * from {{ ref('stg_generic_orders__raw_lines') }}

),

typed as (

    select
        line_number,
        nullif(order_id_raw, '') as order_id,
        nullif(customer_id_raw, '') as customer_key,
        {{ parse_timestamp("nullif(ordered_at_raw, '')", day_first=date_order == 'day_first') }} as ordered_at,
        nullif(product_id_raw, '') as product_id,
        {{ parse_whole_number('quantity_raw') }} as quantity,
        {{ dbt.safe_cast('line_amount_raw', 'decimal(18, 6)') }} as line_amount,
        {{ dbt.safe_cast('unit_price_raw', 'decimal(18, 6)') }} as unit_price,
        nullif(product_name_raw, '') as product_name,
        nullif(category_raw, '') as category,
        nullif(country_raw, '') as country,
        lower(nullif(status_raw, '')) as status,
        nullif(line_amount_raw, '') is not null as has_line_amount,
        row_number() over (
            partition by {{ raw_fields | join(', ') }} order by line_number
        ) > 1 as is_exact_duplicate
    from raw_lines

),

valued as (

    select
        *,
        case
            when has_line_amount then line_amount
            else cast(quantity * unit_price as decimal(38, 6))
        end as line_value
    from typed

),

final as (

    select
        line_number,
        order_id,
        case
            when quantity < 0 or line_value < 0 then 'cancellation'
            when status in ('{{ canceled | join("', '") }}') then 'canceled_order'
            else 'purchase'
        end as order_type,
        coalesce(
            {{ parse_whole_number('customer_key') }}, {{ stable_customer_id('customer_key') }}
        ) as customer_id,
        customer_key,
        country,
        ordered_at,
        cast(ordered_at as date) as order_date,
        product_id,
        product_name,
        category,
        status,
        is_exact_duplicate,
        concat_ws(
            ', ',
            case when order_id is null then 'order_id (empty)' end,
            case when product_id is null then 'product_id (empty)' end,
            case when quantity is null then 'quantity' end,
            case when ordered_at is null then 'ordered_at' end,
            case when line_value is null then 'line_amount or unit_price' end
        ) as invalid_fields,
        customer_key is null as is_missing_customer,
        coalesce(quantity > 0 and line_value > 0, false) as has_positive_quantity_and_price,
        cast(quantity as {{ dbt.type_bigint() }}) as units,
        line_value,
        cast(case when quantity <> 0 then line_value / quantity end as decimal(18, 6)) as unit_price
    from valued

)

select * from final
