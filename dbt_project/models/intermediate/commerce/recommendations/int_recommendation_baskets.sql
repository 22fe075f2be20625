-- Every purchase basket of every store at product level (macros/product_lines.sql
-- purchase_baskets), with whether the order falls before the store's evaluation cutoff (the first
-- day of its last recommendation_holdout_days days of orders): the recommendations' evaluation
-- trains on those before it and tests on the rest.

with

baskets as (

    {{ purchase_baskets("select * from " ~ ref('int_product_lines_classified')) }}

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
        baskets.store,
        baskets.order_id,
        baskets.customer_id,
        baskets.order_date,
        baskets.product_id,
        baskets.line_value,
        baskets.order_date < cutoffs.cutoff_date as is_training,
        cutoffs.cutoff_date
    from baskets
    inner join cutoffs
        on baskets.store = cutoffs.store

)

select * from final
