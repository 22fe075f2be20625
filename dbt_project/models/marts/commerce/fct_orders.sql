-- One row per store and invoice (order) that counts towards monetary: purchase invoices (their
-- purchase lines) and cancellation invoices (their product lines, negative value). Money is summed as exact
-- decimals and published as double, like fct_customer_rfm.

with

lines as (

    select * from {{ ref('int_order_lines_classified') }}
    where counts_in_monetary

),

orders as (

    select
        store,
        order_id as invoice_no,
        order_type as invoice_type,
        min(customer_id) as customer_id,
        min(ordered_at) as invoiced_at,
        min(order_date) as invoice_date,
        min(country) as country,
        sum(n_lines) as n_lines,
        sum(units) as units,
        sum(line_value) as order_value
    from lines
    group by store, order_id, order_type

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
