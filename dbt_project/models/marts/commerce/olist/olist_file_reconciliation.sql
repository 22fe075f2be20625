-- Every raw row of every Olist file accounted for: one row per file, status and reason. Orders
-- take the commerce rules (int_order_lines_classified); the other files are kept when they belong
-- to a known order (or are the first record of their key), else excluded with the reason; the
-- rows the CSV reader could not return are rejected (stg_olist__file_line_counts).

with

file_counts as (

    select * from {{ ref('stg_olist__file_line_counts') }}

),

order_ids as (

    select distinct order_id from {{ ref('stg_olist__orders') }}
    where order_id is not null

),

ordered_customers as (

    select distinct customer_id from {{ ref('stg_olist__orders') }}
    where customer_id is not null

),

orders as (

    select
        'orders' as source_table,
        line_status,
        reason,
        sum(n_lines) as n_rows
    from {{ ref('int_order_lines_classified') }}
    where store = 'olist'
    group by line_status, reason

),

customers as (

    select
        'customers' as source_table,
        case
            when customer_id is null or customer_unique_id is null then 'invalid_value'
            when record_number > 1 then 'exact_duplicate'
            when customer_id not in (select ordered_customers.customer_id from ordered_customers)
                then 'no_order'
            else 'kept'
        end as reason,
        count(*) as n_rows
    from (
        select
            customer_id,
            customer_unique_id,
            row_number() over (partition by customer_id order by line_number) as record_number
        from {{ ref('stg_olist__customers') }}
    ) as numbered
    group by reason

),

order_children as (

    {%- for table, invalid in [
        ('order_items', 'is_price_invalid'),
        ('order_payments', 'is_payment_value_invalid'),
        ('order_reviews', 'false'),
    ] %}
        select
            '{{ table }}' as source_table,
            case
                when {{ invalid }} then 'invalid_value'
                when order_id is null or order_id not in (select order_ids.order_id from order_ids)
                    then 'unknown_order'
                else 'kept'
            end as reason,
            count(*) as n_rows
        from {{ ref('stg_olist__' ~ table) }}
        group by reason
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

keyed_references as (

    {%- for table, key in [
        ('products', 'product_id'),
        ('category_translation', 'category_name'),
        ('sellers', 'seller_id'),
    ] %}
        select
            '{{ table }}' as source_table,
            case
                when {{ key }} is null then 'invalid_value'
                when record_number > 1 then 'exact_duplicate'
                else 'kept'
            end as reason,
            count(*) as n_rows
        from (
            select
                {{ key }},
                row_number() over (partition by {{ key }} order by line_number) as record_number
            from {{ ref('stg_olist__' ~ table) }}
        ) as numbered
        group by reason
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

geolocation as (

    select
        'geolocation' as source_table,
        'kept' as reason,
        count(*) as n_rows
    from {{ ref('stg_olist__geolocation') }}
    having count(*) > 0

),

other_files as (

    select * from customers
    union all
    select * from order_children
    union all
    select * from keyed_references
    union all
    select * from geolocation

),

rejected as (

    select
        source_table,
        'rejected' as line_status,
        'rejected_by_parser' as reason,
        n_rejected_rows as n_rows
    from file_counts

),

final as (

    select
        cast('olist' as {{ dbt.type_string() }}) as store,
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(line_status as {{ dbt.type_string() }}) as row_status,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(n_rows as {{ dbt.type_bigint() }}) as n_rows
    from (
        select * from orders
        union all
        select
            source_table,
            case when reason = 'kept' then 'kept' else 'excluded' end as line_status,
            reason,
            n_rows
        from other_files
        union all
        select * from rejected
    ) as counted
    where n_rows > 0

)

select * from final
