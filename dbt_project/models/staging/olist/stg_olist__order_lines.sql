-- The olist adapter: each order mapped onto the canonical order lines of the commerce core
-- (intermediate/commerce/int_order_lines_unioned), one line per order. The customer is the
-- person (customer_unique_id; Olist issues a new customer_id per order); an order is counted
-- unless its status is canceled or unavailable; its value is the sum of its payments (0 without
-- any). A repeated order id after the first is an exact duplicate when the row says the same
-- (customer, status, timestamps), else a conflicting duplicate: only the first row counts.

with

orders as (

    select * from {{ ref('stg_olist__orders') }}

),

customers as (

    -- the first record of each customer_id
    select
        customer_id,
        customer_unique_id,
        row_number() over (partition by customer_id order by line_number) as record_number
    from {{ ref('stg_olist__customers') }}
    where customer_id is not null

),

payments as (

    select
        order_id,
        sum(payment_value) as paid_value,
        count(*) filter (where is_payment_value_invalid) as n_invalid_payments
    from {{ ref('stg_olist__order_payments') }}
    group by order_id

),

items as (

    select
        order_id,
        count(*) as n_items
    from {{ ref('stg_olist__order_items') }}
    group by order_id

),

contents as (

    select
        orders.*,
        {{ olist_row_content([
            'customer_id', 'order_status', 'purchased_at', 'approved_at', 'delivered_to_carrier_at',
            'delivered_to_customer_at', 'estimated_delivery_at',
        ]) }} as content
    from orders

),

numbered as (

    select
        contents.*,
        row_number() over (
            partition by contents.order_id order by contents.line_number
        ) as copy_number,
        first_value(contents.content) over (
            partition by contents.order_id order by contents.line_number
        ) as first_content
    from contents

),

final as (

    select
        cast('olist' as {{ dbt.type_string() }}) as store,
        numbered.order_id,
        case
            when numbered.order_status in ('canceled', 'unavailable') then 'canceled_order'
            else 'purchase'
        end as order_type,
        {{ stable_customer_id('customers.customer_unique_id') }} as customer_id,
        customers.customer_unique_id as customer_key,
        cast('Brazil' as {{ dbt.type_string() }}) as country,
        numbered.purchased_at as ordered_at,
        cast(numbered.purchased_at as date) as order_date,
        false as is_service_line,
        numbered.order_id is not null and numbered.copy_number > 1
        and numbered.content = numbered.first_content as is_exact_duplicate,
        numbered.order_id is not null and numbered.copy_number > 1
        and numbered.content <> numbered.first_content as is_conflicting_duplicate,
        concat_ws(
            ', ',
            case when numbered.order_id is null then 'order_id (empty)' end,
            case when numbered.purchased_at is null then 'order_purchase_timestamp' end,
            case when coalesce(payments.n_invalid_payments, 0) > 0 then 'payment_value' end
        ) as invalid_fields,
        customers.customer_unique_id is null as is_missing_customer,
        true as has_positive_quantity_and_price,
        cast(1 as {{ dbt.type_bigint() }}) as n_lines,
        cast(coalesce(items.n_items, 0) as {{ dbt.type_bigint() }}) as units,
        cast(coalesce(payments.paid_value, 0) as decimal(38, 6)) as line_value,
        -- the exports are read whole at every build: every line is this build's
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as load_id
    from numbered
    left join customers
        on
            numbered.customer_id = customers.customer_id
            and customers.record_number = 1
    left join payments
        on numbered.order_id = payments.order_id
    left join items
        on numbered.order_id = items.order_id

)

select * from final
