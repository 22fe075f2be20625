-- One row per store and order that counts towards monetary: purchases (their purchase lines) and
-- cancellations (their product lines, negative value). Money is summed as exact decimals and
-- published as double, like fct_customer_rfm. Summed in int_orders_summarised, which a build
-- updates only for the orders its lines touch. The invoice_* columns are the former names of the
-- order_* ones, kept until 2027-06-30 (docs/architecture.md, "Renamed").

with

orders as (

    select * from {{ ref('int_orders_summarised') }}

),

final as (

    select
        store,
        invoice_no as order_id,
        invoice_type as order_type,
        customer_id,
        invoiced_at as ordered_at,
        invoice_date as order_date,
        country,
        cast(n_lines as bigint) as n_lines,
        cast(units as bigint) as units,
        cast(order_value as double) as order_value,
        invoice_type = 'cancellation' as is_cancellation,
        invoice_no,
        invoice_type,
        invoiced_at,
        invoice_date
    from orders

)

select * from final
