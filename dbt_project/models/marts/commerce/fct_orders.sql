-- One row per store and invoice (order) that counts towards monetary: purchase invoices (their
-- purchase lines) and cancellation invoices (their product lines, negative value). Money is summed
-- as exact decimals and published as double, like fct_customer_rfm. Summed in
-- int_orders_summarised, which a build updates only for the orders its lines touch.

with

orders as (

    select * from {{ ref('int_orders_summarised') }}

),

final as (

    select
        store,
        invoice_no,
        invoice_type,
        customer_id,
        invoiced_at,
        invoice_date,
        country,
        cast(n_lines as bigint) as n_lines,
        cast(units as bigint) as units,
        cast(order_value as double) as order_value,
        invoice_type = 'cancellation' as is_cancellation
    from orders

)

select * from final
