-- Each store's order lines at category level, per customer and order: what the first-order
-- features of the interest prediction are made of. Region is the customer's state where the
-- store knows it (stg_<store>__customer_attributes), else their country.

with

lines as (

    select * from {{ ref('int_product_lines_classified') }}
    where counts_in_monetary and not is_service_line

),

categories as (

    select * from {{ ref('int_product_categories') }}

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

final as (

    select
        lines.store,
        lines.customer_id,
        lines.order_id,
        lines.order_date,
        coalesce(states.state, lines.country, 'unknown') as region,
        categories.category_id,
        cast(sum(lines.line_value) as double) as net_spend
    from lines
    inner join categories
        on
            lines.store = categories.store
            and lines.product_id = categories.product_id
    left join states
        on
            lines.store = states.store
            and lines.customer_id = states.customer_id
    group by
        lines.store, lines.customer_id, lines.order_id, lines.order_date,
        coalesce(states.state, lines.country, 'unknown'), categories.category_id

)

select * from final
