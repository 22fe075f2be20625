-- Per store and customer, everything the customer marts aggregate from the order lines (the
-- customer's valid lines, purchases and returns), as of the store's as-of date. Incremental: a
-- build recomputes only the customers its lines touch (macros/commerce_incremental.sql), so
-- appending a day costs the day's customers, not the history; dim_customers and
-- fct_customer_rfm read it. Equal to a full computation (tested).
{%- set keys = [['store', 'store'], ['customer_id', 'customer_id']] %}
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

valid_lines as (

    -- every line of a known customer that counts for something, whatever its fate
    select * from scope
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
    from valid_lines
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
        sum(case when reason = 'cancellation' then 1 else 0 end) > 0 as has_cancellations,
        -- the lines that make up monetary (macros/commerce_rules.sql)
        min(case when reason = 'purchase' then order_date end) as first_purchase_date,
        max(case when reason = 'purchase' then order_date end) as last_purchase_date,
        count(distinct case when reason = 'purchase' then order_id end) as frequency,
        sum(case when reason = 'purchase' and counts_in_monetary then line_value else 0 end) as purchase_value,
        sum(case when reason = 'cancellation' and counts_in_monetary then -line_value else 0 end) as returned_value,
        count(distinct case when reason = 'cancellation' and counts_in_monetary then order_id end) as n_returns
    from valid_lines
    group by store, customer_id

),

as_of as (

    select
        store,
        as_of_date
    from {{ ref('int_store_as_of_dates') }}

),

final as (

    select
        customers.store,
        customers.customer_id,
        customers.customer_key,
        main_country.country,
        customers.first_seen_date,
        customers.last_seen_date,
        customers.n_lines,
        customers.n_invoices,
        customers.n_countries,
        customers.frequency > 0 as has_purchases,
        customers.has_cancellations,
        customers.first_purchase_date,
        customers.last_purchase_date,
        customers.frequency,
        customers.purchase_value,
        customers.returned_value,
        customers.n_returns,
        as_of.as_of_date,
        cast({{ commerce_rules_fingerprint() }} as {{ dbt.type_string() }}) as rules_fingerprint
    from customers
    inner join as_of
        on customers.store = as_of.store
    left join main_country
        on
            customers.store = main_country.store
            and customers.customer_id = main_country.customer_id

)

select * from final
