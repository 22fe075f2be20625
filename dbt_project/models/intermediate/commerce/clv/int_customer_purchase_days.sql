-- One row per store, customer and day with a purchase: the spend of the day's purchase lines
-- (those that make up monetary), up to the store's as-of date. Lifetime value models count one
-- transaction per customer-day, as their papers do (models_py/clv.py).

with

order_lines as (

    select * from {{ ref('int_order_lines_classified') }}

),

final as (

    select
        store,
        customer_id,
        order_date,
        sum(line_value) as spend
    from order_lines
    where
        reason = 'purchase'
        and counts_in_monetary
        and customer_id is not null
    group by store, customer_id, order_date

)

select * from final
