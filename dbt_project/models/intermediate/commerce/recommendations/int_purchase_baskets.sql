-- Every purchase basket of every store at product level: an order's distinct products (service
-- lines left out) with the customer, the date and the value. A view: the recommendations'
-- evaluation (int_recommendation_baskets) reads all of it, a daily build's next-best refresh
-- (int_customer_recommendations) only the baskets of the customers who bought since.
{{ config(materialized='view', tags=['next_best_refresh']) }}

with

lines as (

    select * from {{ ref('int_product_lines_classified') }}
    where reason = 'purchase' and not is_service_line

),

final as (

    select
        store,
        order_id,
        customer_id,
        order_date,
        product_id,
        cast(sum(line_value) as double) as line_value
    from lines
    group by store, order_id, customer_id, order_date, product_id

)

select * from final
