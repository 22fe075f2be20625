-- One row per store and product category: its name, top terms, products, revenue and share of
-- the store's product revenue.

with

products as (

    select * from {{ ref('dim_products') }}

),

terms as (

    select distinct
        store,
        category_id,
        top_terms
    from {{ ref('int_product_categories') }}

),

per_category as (

    select
        store,
        category_id,
        min(category_name) as category_name,
        bool_and(is_category_override) as is_override_category,
        count(*) as n_products,
        sum(revenue) as revenue
    from products
    group by store, category_id

),

final as (

    select
        per_category.store,
        cast(per_category.category_id as integer) as category_id,
        per_category.category_name,
        terms.top_terms,
        per_category.is_override_category,
        cast(per_category.n_products as integer) as n_products,
        cast(per_category.revenue as double) as revenue,
        cast(
            per_category.revenue / sum(per_category.revenue) over (partition by per_category.store)
            as double
        ) as share_of_revenue
    from per_category
    left join terms
        on
            per_category.store = terms.store
            and per_category.category_id = terms.category_id

)

select * from final
