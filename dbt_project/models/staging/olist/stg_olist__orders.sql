-- One row per raw order of the Olist export, in file order: trimmed, status lowercased, the
-- timestamps typed (ISO `2017-10-02 10:56:33` or `10/2/2017 10:56`). Nothing is dropped here.

with

source as (

    select *
    from {{ olist_rows('orders') }} as orders

),

final as (

    select
        line_number,
        nullif(trim(order_id), '') as order_id,
        nullif(trim(customer_id), '') as customer_id,
        lower(nullif(trim(order_status), '')) as order_status,
        {{ parse_timestamp('trim(order_purchase_timestamp)') }} as purchased_at,
        nullif(trim(order_purchase_timestamp), '') is not null
        and {{ parse_timestamp('trim(order_purchase_timestamp)') }} is null as is_purchased_at_invalid,
        {{ parse_timestamp('trim(order_approved_at)') }} as approved_at,
        {{ parse_timestamp('trim(order_delivered_carrier_date)') }} as delivered_to_carrier_at,
        {{ parse_timestamp('trim(order_delivered_customer_date)') }} as delivered_to_customer_at,
        {{ parse_timestamp('trim(order_estimated_delivery_date)') }} as estimated_delivery_at
    from source

)

select * from final
