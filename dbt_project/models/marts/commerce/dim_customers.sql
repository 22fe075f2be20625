-- One row per store and customer id seen on a valid line up to the store's as-of date, whatever
-- the line's fate (aggregated in int_customer_order_totals, which a build updates only for the
-- customers its lines touch).

with

totals as (

    select * from {{ ref('int_customer_order_totals') }}

),

final as (

    select
        store,
        customer_id,
        customer_key,
        country,
        first_seen_date,
        last_seen_date,
        cast(n_lines as bigint) as n_lines,
        n_invoices,
        n_countries,
        has_purchases,
        has_cancellations,
        has_cancellations and not has_purchases as is_cancellation_only
    from totals

)

select * from final
