-- One row per invoice that counts towards monetary: purchase invoices (their purchase lines)
-- and cancellation invoices (their product lines, negative value). Money is summed as exact
-- decimals and published as double, like fct_customer_rfm.

with

lines as (

    select * from {{ ref('int_invoice_line_groups_classified') }}
    where counts_in_monetary

),

orders as (

    select
        invoice_no,
        invoice_type,
        min(customer_id) as customer_id,
        min(invoiced_at) as invoiced_at,
        min(invoice_date) as invoice_date,
        min(country) as country,
        sum(n_lines) as n_lines,
        sum(units) as units,
        sum(line_value) as order_value
    from lines
    group by invoice_no, invoice_type

),

final as (

    select
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
