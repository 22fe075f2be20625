-- One row per raw order item of the Olist export: price and freight as exact decimals.

with

source as (

    select *
    from {{ olist_rows('order_items') }} as items

),

final as (

    select
        line_number,
        nullif(trim(order_id), '') as order_id,
        {{ dbt.safe_cast('trim(order_item_id)', dbt.type_int()) }} as order_item_id,
        nullif(trim(product_id), '') as product_id,
        nullif(trim(seller_id), '') as seller_id,
        {{ parse_timestamp('trim(shipping_limit_date)') }} as shipping_limit_at,
        {{ dbt.safe_cast('trim(price)', 'decimal(18, 2)') }} as price,
        {{ dbt.safe_cast('trim(freight_value)', 'decimal(18, 2)') }} as freight_value,
        nullif(trim(price), '') is not null
        and {{ dbt.safe_cast('trim(price)', 'decimal(18, 2)') }} is null as is_price_invalid
    from source

)

select * from final
