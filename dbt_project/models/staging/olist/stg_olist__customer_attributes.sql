-- What the olist store knows of each customer beyond RFM, one row per customer and attribute,
-- for the segment profiles by attribute (marts/commerce/segmentation/segment_attribute_profiles):
-- state and city (of the customer's latest order), main payment type (by value), main product
-- category (English name, by item price), price band (of the mean item price) and mean review
-- score (rounded), each over the customer's counted orders.

with

order_lines as (

    select * from {{ ref('stg_olist__order_lines') }}
    where
        order_type = 'purchase' and not is_exact_duplicate and not is_conflicting_duplicate
        and customer_key is not null

),

orders as (

    select * from {{ ref('stg_olist__orders') }}

),

customers as (

    select * from {{ ref('stg_olist__customers') }}

),

latest_order as (

    select
        order_lines.customer_id,
        customers.state,
        customers.city,
        row_number() over (
            partition by order_lines.customer_id
            order by order_lines.ordered_at desc, order_lines.order_id desc
        ) as order_rank
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
    inner join customers
        on orders.customer_id = customers.customer_id

),

payment_types as (

    select
        order_lines.customer_id,
        payments.payment_type,
        row_number() over (
            partition by order_lines.customer_id
            order by sum(payments.payment_value) desc, payments.payment_type asc
        ) as type_rank
    from order_lines
    inner join {{ ref('stg_olist__order_payments') }} as payments
        on order_lines.order_id = payments.order_id
    where payments.payment_type is not null
    group by order_lines.customer_id, payments.payment_type

),

items as (

    select
        order_lines.customer_id,
        coalesce(translation.category_name_english, products.category_name, 'unknown') as category,
        items.price
    from order_lines
    inner join {{ ref('stg_olist__order_items') }} as items
        on order_lines.order_id = items.order_id
    left join {{ ref('stg_olist__products') }} as products
        on items.product_id = products.product_id
    left join {{ ref('stg_olist__category_translation') }} as translation
        on products.category_name = translation.category_name

),

categories as (

    select
        customer_id,
        category,
        row_number() over (
            partition by customer_id order by sum(price) desc, category asc
        ) as category_rank
    from items
    group by customer_id, category

),

price_bands as (

    select
        customer_id,
        case
            when avg(price) < 50 then 'under 50'
            when avg(price) < 100 then '50-100'
            when avg(price) < 200 then '100-200'
            when avg(price) < 500 then '200-500'
            else '500 and over'
        end as price_band
    from items
    where price is not null
    group by customer_id

),

reviews as (

    select
        order_lines.customer_id,
        cast(round(avg(reviews.review_score), 0) as integer) as review_score
    from order_lines
    inner join {{ ref('stg_olist__order_reviews') }} as reviews
        on order_lines.order_id = reviews.order_id
    where reviews.review_score between 1 and 5
    group by order_lines.customer_id

),

attributes as (

    select
        customer_id,
        'state' as attribute,
        state as attribute_value
    from latest_order
    where order_rank = 1 and state is not null
    union all
    select
        customer_id,
        'city' as attribute,
        city as attribute_value
    from latest_order
    where order_rank = 1 and city is not null
    union all
    select
        customer_id,
        'payment_type' as attribute,
        payment_type as attribute_value
    from payment_types
    where type_rank = 1
    union all
    select
        customer_id,
        'product_category' as attribute,
        category as attribute_value
    from categories
    where category_rank = 1
    union all
    select
        customer_id,
        'price_band' as attribute,
        price_band as attribute_value
    from price_bands
    union all
    select
        customer_id,
        'review_score' as attribute,
        cast(review_score as {{ dbt.type_string() }}) as attribute_value
    from reviews

),

final as (

    select distinct
        cast('olist' as {{ dbt.type_string() }}) as store,
        customer_id,
        cast(attribute as {{ dbt.type_string() }}) as attribute,
        cast(attribute_value as {{ dbt.type_string() }}) as attribute_value
    from attributes

)

select * from final
