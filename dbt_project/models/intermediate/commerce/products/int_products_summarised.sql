-- One row per store and product sold to a known customer: its canonical description (the most
-- frequent on its purchase lines, ties alphabetical), units, revenue (net of the product lines of
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

sales as (

    select
        store,
        product_id,
        sum(case when reason = 'purchase' then units else 0 end) as units_sold,
        sum(case when reason = 'cancellation' then -units else 0 end) as units_returned,
        sum(line_value) as revenue,
        count(distinct case when reason = 'purchase' then customer_id end) as customers,
        count(distinct case when reason = 'purchase' then order_id end) as orders,
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
        cast(sales.units_sold as {{ dbt.type_bigint() }}) as units_sold,
        cast(sales.units_returned as {{ dbt.type_bigint() }}) as units_returned,
        cast(sales.revenue as double) as revenue,
        cast(sales.customers as integer) as customers,
        cast(sales.orders as integer) as orders,
        cast(sales.min_unit_price as double) as min_unit_price,
        cast(sales.max_unit_price as double) as max_unit_price,
        cast(sales.mean_unit_price as double) as mean_unit_price,
        sales.first_sale_date,
        sales.last_sale_date
    from sales
    left join descriptions
        on
            sales.store = descriptions.store
            and sales.product_id = descriptions.product_id
            and descriptions.description_rank = 1
    where sales.first_sale_date is not null

)

select * from final
