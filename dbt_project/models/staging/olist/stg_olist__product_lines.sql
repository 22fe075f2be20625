-- The olist adapter's product lines, for the product side: one row per order and product with
-- the order's fate (counted unless canceled or unavailable), the items, units (one per item) and
-- value (item prices; freight is not the product's). Olist products have no description: their
-- category (English where translated) is the category and stands in for the description.

{{ config(tags=['products', 'next_best_refresh']) }}

with

orders as (

    select * from {{ ref('stg_olist__order_lines') }}
    where not is_exact_duplicate and not is_conflicting_duplicate

),

items as (

    select * from {{ ref('stg_olist__order_items') }}

),

products as (

    select
        products.product_id,
        coalesce(translation.category_name_english, products.category_name) as category
    from {{ ref('stg_olist__products') }} as products
    left join {{ ref('stg_olist__category_translation') }} as translation
        on products.category_name = translation.category_name

),

final as (

    select
        orders.store,
        orders.order_id,
        orders.order_type,
        orders.customer_id,
        orders.country,
        orders.order_date,
        items.product_id,
        min(products.category) as description,
        min(products.category) as category,
        false as is_service_line,
        case when bool_or(items.is_price_invalid) then 'price' else '' end as invalid_fields,
        coalesce(bool_and(items.price > 0), false) as has_positive_quantity_and_price,
        cast(count(*) as {{ dbt.type_bigint() }}) as n_lines,
        cast(count(*) as {{ dbt.type_bigint() }}) as units,
        -- the retail adapter's types: a union with 2 decimal places would round its values
        cast(sum(items.price) as decimal(38, 6)) as line_value,
        cast(min(items.price) as decimal(18, 6)) as min_unit_price,
        cast(max(items.price) as decimal(18, 6)) as max_unit_price
    from orders
    inner join items
        on orders.order_id = items.order_id
    left join products
        on items.product_id = products.product_id
    where orders.customer_id is not null and items.product_id is not null
    group by
        orders.store, orders.order_id, orders.order_type, orders.customer_id, orders.country,
        orders.order_date, items.product_id

)

select * from final
