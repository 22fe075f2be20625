-- What is known of each customer at their first order (the earliest order date, ties to the
-- lower order id), one row per customer and category of that basket: the basket's share of
-- positive spend per category (by lines when the basket has none), its product lines and value,
-- the region (state where the store knows it, else main country). The interest prediction learns from these alone.

with

lines as (

    select * from {{ ref('int_product_lines_classified') }}
    where counts_in_monetary and not is_service_line

),

orders as (

    select distinct
        store,
        customer_id,
        order_id,
        order_date
    from lines

),

first_orders as (

    select
        store,
        customer_id,
        order_id,
        order_date
    from (
        select
            store,
            customer_id,
            order_id,
            order_date,
            row_number() over (
                partition by store, customer_id order by order_date asc, order_id asc
            ) as order_rank
        from orders
    ) as ranked
    where order_rank = 1

),

states as (

    {% for store in commerce_stores() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            store,
            customer_id,
            attribute_value as state
        from {{ ref('stg_' ~ store ~ '__customer_attributes') }}
        where attribute = 'state'
    {%- endfor %}

),

regions as (

    -- the customer's state where the store knows it, else their main country
    select
        customers.store,
        customers.customer_id,
        coalesce(states.state, customers.country, 'unknown') as region
    from {{ ref('dim_customers') }} as customers
    left join states
        on
            customers.store = states.store
            and customers.customer_id = states.customer_id

),

basket as (

    select
        first_orders.store,
        first_orders.customer_id,
        first_orders.order_date as first_order_date,
        categories.category_id,
        sum(greatest(lines.line_value, 0)) as positive_spend,
        sum(lines.n_lines) as n_lines,
        sum(lines.line_value) as spend
    from first_orders
    inner join lines
        on
            first_orders.store = lines.store
            and first_orders.order_id = lines.order_id
            and first_orders.customer_id = lines.customer_id
    inner join {{ ref('int_product_categories') }} as categories
        on
            lines.store = categories.store
            and lines.product_id = categories.product_id
    group by first_orders.store, first_orders.customer_id, first_orders.order_date, categories.category_id

),

final as (

    select
        basket.store,
        basket.customer_id,
        basket.first_order_date,
        coalesce(min(regions.region), 'unknown') as region,
        basket.category_id,
        cast(case
            when sum(basket.positive_spend) over (partition by basket.store, basket.customer_id) > 0
                then
                    cast(basket.positive_spend as double)
                    / sum(basket.positive_spend) over (partition by basket.store, basket.customer_id)
            else
                cast(basket.n_lines as double)
                / sum(basket.n_lines) over (partition by basket.store, basket.customer_id)
        end as double) as basket_share,
        cast(sum(basket.n_lines) over (partition by basket.store, basket.customer_id) as bigint) as n_lines,
        cast(sum(basket.spend) over (partition by basket.store, basket.customer_id) as double) as basket_value
    from basket
    left join regions
        on
            basket.store = regions.store
            and basket.customer_id = regions.customer_id
    group by
        basket.store, basket.customer_id, basket.first_order_date, basket.category_id,
        basket.positive_spend, basket.n_lines, basket.spend

)

select * from final
