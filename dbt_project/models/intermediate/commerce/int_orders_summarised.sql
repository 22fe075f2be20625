-- Per store and invoice (order) that counts towards monetary, its date, lines, units and value,
-- as of the store's as-of date. Incremental: a build recomputes only the orders its lines touch
-- (macros/commerce_incremental.sql); fct_orders publishes it. Equal to a full computation (tested).
{%- set keys = [['store', 'store'], ['invoice_no', 'order_id'], ['invoice_type', 'order_type']] %}
{{ config(
    materialized=incremental_unless_spark(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ commerce_forget_touched(" ~ keys ~ ") }}",
    post_hook="{{ commerce_stamp_as_of() }}",
) }}

with

scope as (

    -- every line on a full build; the lines of the customers or orders touched otherwise
    {{ commerce_lines_in_scope(keys) }}

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
    from scope
    where counts_in_monetary
    group by store, order_id, order_type

),

as_of as (

    select
        store,
        as_of_date
    from {{ ref('int_store_as_of_dates') }}

),

final as (

    select
        orders.store,
        orders.invoice_no,
        orders.invoice_type,
        orders.customer_id,
        orders.invoiced_at,
        orders.invoice_date,
        orders.country,
        orders.n_lines,
        orders.units,
        orders.order_value,
        as_of.as_of_date,
        cast({{ commerce_rules_fingerprint() }} as {{ dbt.type_string() }}) as rules_fingerprint
    from orders
    inner join as_of
        on orders.store = as_of.store

)

select * from final
