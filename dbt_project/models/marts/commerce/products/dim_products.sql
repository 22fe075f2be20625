-- One row per store and product sold to a known customer: canonical description, category,
-- price statistics, units, revenue, customers, first and last sale (int_products_summarised and
-- int_product_categories).

with

products as (

    select * from {{ ref('int_products_summarised') }}

),

categories as (

    select * from {{ ref('int_product_categories') }}

),

final as (

    select
        products.store,
        products.product_id,
        products.description,
        cast(categories.category_id as integer) as category_id,
        categories.category_name,
        cast(categories.is_override as boolean) as is_category_override,
        products.min_unit_price,
        products.mean_unit_price,
        products.max_unit_price,
        products.units_sold,
        products.units_returned,
        products.revenue,
        products.customers,
        products.orders,
        products.first_sale_date,
        products.last_sale_date
    from products
    left join categories
        on
            products.store = categories.store
            and products.product_id = categories.product_id

)

select * from final
