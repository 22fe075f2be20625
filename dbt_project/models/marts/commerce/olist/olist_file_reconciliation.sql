-- Every raw row of every Olist file accounted for: one row per file, status, reason and field.
-- Orders take the commerce rules (int_order_lines_classified); the other files are kept when they
-- belong to a known order (or are the first record of their key), else excluded with the reason
-- (a key repeated with the same content is an exact duplicate, with other content a conflicting
-- one); a value that breaks a rule names its field; the rows the CSV reader could not return are
-- rejected (stg_olist__file_line_counts).

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
        field,
        sum(n_lines) as n_rows
    from (
        select
            line_status,
            reason,
            n_lines,
            case
                when reason = 'conflicting_duplicate' then 'order_id'
                else nullif(invalid_fields, '')
            end as field
        from {{ ref('int_order_lines_classified') }}
        where store = 'olist'
    ) as order_lines
    group by line_status, reason, field

),

-- one row per raw row of the other files, with its reason and field

customer_rows as (

    select
        'customers' as source_table,
        case
            when customer_id is null or customer_unique_id is null then 'invalid_value'
            when record_number > 1 and content = first_content then 'exact_duplicate'
            when record_number > 1 then 'conflicting_duplicate'
            when customer_id not in (select ordered_customers.customer_id from ordered_customers)
                then 'no_order'
            else 'kept'
        end as reason,
        case
            when customer_id is null then 'customer_id'
            when customer_unique_id is null then 'customer_unique_id'
            when record_number > 1 and content <> first_content then 'customer_id'
        end as field
    from (
        select
            customer_id,
            customer_unique_id,
            content,
            row_number() over (partition by customer_id order by line_number) as record_number,
            first_value(content) over (partition by customer_id order by line_number) as first_content
        from (
            select
                *,
                {{ olist_row_content(['customer_unique_id', 'zip_code_prefix', 'city', 'state']) }} as content
            from {{ ref('stg_olist__customers') }}
        ) as customers
    ) as numbered

),

order_child_rows as (

    {%- for table, invalid, field in [
        ('order_items', 'is_price_invalid', 'price'),
        ('order_payments', 'is_payment_value_invalid', 'payment_value'),
        ('order_reviews', 'false', none),
    ] %}
        select
            '{{ table }}' as source_table,
            case
                when {{ invalid }} then 'invalid_value'
                when order_id is null or order_id not in (select order_ids.order_id from order_ids)
                    then 'unknown_order'
                else 'kept'
            end as reason,
            case
                when {{ invalid }} then '{{ field }}'
                when order_id is null then 'order_id'
            end as field
        from {{ ref('stg_olist__' ~ table) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

keyed_reference_rows as (

    {%- for table, key, raw_key, content in [
        ('products', 'product_id', 'product_id', ['category_name']),
        ('category_translation', 'category_name', 'product_category_name', ['category_name_english']),
        ('sellers', 'seller_id', 'seller_id', ['zip_code_prefix', 'city', 'state']),
    ] %}
        select
            '{{ table }}' as source_table,
            case
                when {{ key }} is null then 'invalid_value'
                when record_number > 1 and content = first_content then 'exact_duplicate'
                when record_number > 1 then 'conflicting_duplicate'
                else 'kept'
            end as reason,
            case
                when {{ key }} is null or (record_number > 1 and content <> first_content)
                    then '{{ raw_key }}'
            end as field
        from (
            select
                {{ key }},
                content,
                row_number() over (partition by {{ key }} order by line_number) as record_number,
                first_value(content) over (partition by {{ key }} order by line_number) as first_content
            from (
                select
                    *,
                    {{ olist_row_content(content) }} as content
                from {{ ref('stg_olist__' ~ table) }}
            ) as keyed
        ) as numbered
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

geolocation_rows as (

    select
        'geolocation' as source_table,
        'kept' as reason,
        cast(null as {{ dbt.type_string() }}) as field
    from {{ ref('stg_olist__geolocation') }}

),

other_files as (

    select
        source_table,
        reason,
        field,
        count(*) as n_rows
    from (
        select * from customer_rows
        union all
        select * from order_child_rows
        union all
        select * from keyed_reference_rows
        union all
        select * from geolocation_rows
    ) as file_rows
    group by source_table, reason, field

),

rejected as (

    select
        source_table,
        'rejected' as line_status,
        'rejected_by_parser' as reason,
        cast(null as {{ dbt.type_string() }}) as field,
        n_rejected_rows as n_rows
    from file_counts

),

final as (

    select
        cast('olist' as {{ dbt.type_string() }}) as store,
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(line_status as {{ dbt.type_string() }}) as row_status,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(field as {{ dbt.type_string() }}) as field,
        cast(n_rows as {{ dbt.type_bigint() }}) as n_rows
    from (
        select * from orders
        union all
        select
            source_table,
            case when reason = 'kept' then 'kept' else 'excluded' end as line_status,
            reason,
            field,
            n_rows
        from other_files
        union all
        select * from rejected
    ) as counted
    where n_rows > 0

)

select * from final
