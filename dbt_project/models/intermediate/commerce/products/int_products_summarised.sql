-- One row per store and product sold to a known customer: its canonical description and the
-- store's own category when its lines carry one (each the most frequent on its purchase lines,
-- ties alphabetical), units, revenue (net of the product lines of
-- cancellations, as monetary), customers, price statistics and first and last sale. The product
-- categories are fitted on it (int_product_categories) and dim_products publishes it.

with

lines as (

    select * from {{ ref('int_product_lines_classified') }}
    where counts_in_monetary and not is_service_line

),

descriptions as (

    select
        store,
        product_id,
        description,
        row_number() over (
            partition by store, product_id order by sum(n_lines) desc, description asc
        ) as description_rank
    from lines
    where reason = 'purchase' and description is not null
    group by store, product_id, description

),

categories as (

    select
        store,
        product_id,
        category,
        row_number() over (
            partition by store, product_id order by sum(n_lines) desc, category asc
        ) as category_rank
    from lines
    where reason = 'purchase' and category is not null
    group by store, product_id, category

),

customers_per_product as (

    -- distinct counts in two steps (the distinct pairs, then a count): they spill to disk at any
    -- size, where a distinct count per product holds every product's set in memory
    select
        store,
        product_id,
        count(*) as customers
    from (
        select distinct
            store,
            product_id,
            customer_id
        from lines
        where reason = 'purchase'
    ) as buyers
    group by store, product_id

),

orders_per_product as (

    select
        store,
        product_id,
        count(*) as orders
    from (
        select distinct
            store,
            product_id,
            order_id
        from lines
        where reason = 'purchase'
    ) as orders
    group by store, product_id

),

sales as (

    select
        store,
        product_id,
        sum(case when reason = 'purchase' then units else 0 end) as units_sold,
        sum(case when reason = 'cancellation' then -units else 0 end) as units_returned,
        sum(line_value) as revenue,
        min(case when reason = 'purchase' then min_unit_price end) as min_unit_price,
        max(case when reason = 'purchase' then max_unit_price end) as max_unit_price,
        cast(sum(case when reason = 'purchase' then line_value end) as double)
        / nullif(sum(case when reason = 'purchase' then units end), 0) as mean_unit_price,
        min(case when reason = 'purchase' then order_date end) as first_sale_date,
        max(case when reason = 'purchase' then order_date end) as last_sale_date
    from lines
    group by store, product_id

),

final as (

    select
        sales.store,
        sales.product_id,
        descriptions.description,
        categories.category,
        cast(sales.units_sold as {{ dbt.type_bigint() }}) as units_sold,
        cast(sales.units_returned as {{ dbt.type_bigint() }}) as units_returned,
        cast(sales.revenue as double) as revenue,
        cast(coalesce(customers_per_product.customers, 0) as integer) as customers,
        cast(coalesce(orders_per_product.orders, 0) as integer) as orders,
        cast(sales.min_unit_price as double) as min_unit_price,
        cast(sales.max_unit_price as double) as max_unit_price,
        cast(sales.mean_unit_price as double) as mean_unit_price,
        sales.first_sale_date,
        sales.last_sale_date
    from sales
    left join customers_per_product
        on
            sales.store = customers_per_product.store
            and sales.product_id = customers_per_product.product_id
    left join orders_per_product
        on
            sales.store = orders_per_product.store
            and sales.product_id = orders_per_product.product_id
    left join descriptions
        on
            sales.store = descriptions.store
            and sales.product_id = descriptions.product_id
            and descriptions.description_rank = 1
    left join categories
        on
            sales.store = categories.store
            and sales.product_id = categories.product_id
            and categories.category_rank = 1
    where sales.first_sale_date is not null

)

select * from final
