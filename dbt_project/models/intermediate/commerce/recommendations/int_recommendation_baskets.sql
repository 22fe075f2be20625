-- Every purchase basket of every store at product level: an order's distinct products (service
-- lines left out) with the customer, the date, the value, and whether the order falls before the
-- store's evaluation cutoff (the first day of its last recommendation_holdout_days days of
-- orders): the recommendations' evaluation trains on those before it and tests on the rest.

with

lines as (

    select * from {{ ref('int_product_lines_classified') }}
    where reason = 'purchase' and not is_service_line

),

cutoffs as (

    select
        store,
        cast({{ dbt.dateadd('day', 1 - var('recommendation_holdout_days') | int, 'last_order_date') }} as date)
            as cutoff_date
    from {{ ref('int_store_as_of_dates') }}

),

final as (

    select
        lines.store,
        lines.order_id,
        lines.customer_id,
        lines.order_date,
        lines.product_id,
        cast(sum(lines.line_value) as double) as line_value,
        lines.order_date < cutoffs.cutoff_date as is_training,
        cutoffs.cutoff_date
    from lines
    inner join cutoffs
        on lines.store = cutoffs.store
    group by
        lines.store, lines.order_id, lines.customer_id, lines.order_date, lines.product_id,
        cutoffs.cutoff_date

)

select * from final
