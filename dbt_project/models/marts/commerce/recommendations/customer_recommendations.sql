-- Per store and customer, the next-best products: the ten products the customer has not bought
-- with the highest score, with why (bought_with:<product> from the association rules, else
-- popular_in_segment, else popular_in_category), the product's description and category, and the
-- customer's segment. BI-ready: one row per recommendation. Rebuilt by a daily build too, with
-- the lists of the customers who bought since (int_customer_recommendations).
{{ config(tags=['next_best_refresh'], post_hook="{{ create_next_best_for_basket_macro() }}") }}

with

recommendations as (

    select * from {{ ref('int_customer_recommendations') }}
    where method = 'model'

),

products as (

    select * from {{ ref('int_products_summarised') }}

),

categories as (

    select * from {{ ref('int_product_categories') }}

),

segments as (

    select * from {{ ref('int_customer_segments') }}

),

final as (

    select
        recommendations.store,
        recommendations.customer_id,
        recommendations.recommendation_rank,
        recommendations.product_id,
        products.description,
        categories.category_id,
        categories.category_name,
        recommendations.score,
        recommendations.reason,
        segments.segment_id,
        segments.segment_label
    from recommendations
    left join products
        on
            recommendations.store = products.store
            and recommendations.product_id = products.product_id
    left join categories
        on
            recommendations.store = categories.store
            and recommendations.product_id = categories.product_id
    left join segments
        on
            recommendations.store = segments.store
            and recommendations.customer_id = segments.customer_id

)

select * from final
