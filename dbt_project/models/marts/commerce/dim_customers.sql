-- One row per store and customer id seen on a valid line up to the store's as-of date, whatever
-- the line's fate.

with

lines as (

    select * from {{ ref('int_order_lines_classified') }}
    where
        customer_id is not null
        and reason not in ('exact_duplicate', 'invalid_value', 'after_as_of_date')

),

country_counts as (

    select
        store,
        customer_id,
        country,
        sum(n_lines) as n_lines
    from lines
    where country is not null
    group by store, customer_id, country

),

main_country as (

    -- most frequent country of the customer's lines; ties go to the first name alphabetically
    select
        store,
        customer_id,
        country
    from (
        select
            store,
            customer_id,
            country,
            row_number() over (
                partition by store, customer_id order by n_lines desc, country asc
            ) as rank_in_customer
        from country_counts
    ) as ranked
    where rank_in_customer = 1

),

customers as (

    select
        store,
        customer_id,
        min(customer_key) as customer_key,
        min(order_date) as first_seen_date,
        max(order_date) as last_seen_date,
        sum(n_lines) as n_lines,
        count(distinct order_id) as n_invoices,
        count(distinct country) as n_countries,
        sum(case when reason = 'purchase' then 1 else 0 end) > 0 as has_purchases,
        sum(case when reason = 'cancellation' then 1 else 0 end) > 0 as has_cancellations
    from lines
    group by store, customer_id

),

final as (

    select
        customers.store,
        customers.customer_id,
        customers.customer_key,
        main_country.country,
        customers.first_seen_date,
        customers.last_seen_date,
        cast(customers.n_lines as bigint) as n_lines,
        customers.n_invoices,
        customers.n_countries,
        customers.has_purchases,
        customers.has_cancellations,
        customers.has_cancellations and not customers.has_purchases as is_cancellation_only
    from customers
    left join main_country
        on
            customers.store = main_country.store
            and customers.customer_id = main_country.customer_id

)

select * from final
