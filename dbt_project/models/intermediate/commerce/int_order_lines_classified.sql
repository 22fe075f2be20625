-- The order lines of every store with their final status and reason: the as-of date rule
-- applied on read (so a new as-of date never reloads lines), and whether the lines make up
-- monetary.
{{ config(materialized='view') }}

with

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}

),

as_of as (

    select * from {{ ref('int_store_as_of_dates') }}

),

classified as (

    select
        order_lines.store,
        order_lines.order_id,
        order_lines.order_type,
        order_lines.customer_id,
        order_lines.customer_key,
        order_lines.country,
        order_lines.ordered_at,
        order_lines.order_date,
        order_lines.is_service_line,
        order_lines.invalid_fields,
        order_lines.n_lines,
        order_lines.units,
        order_lines.line_value,
        order_lines.load_id,
        {{ commerce_reason_as_of(commerce_intrinsic_reason(), 'order_lines.order_date', 'as_of.as_of_date') }} as reason
    from order_lines
    inner join as_of
        on order_lines.store = as_of.store

),

final as (

    select
        store,
        order_id,
        order_type,
        customer_id,
        customer_key,
        country,
        ordered_at,
        order_date,
        is_service_line,
        case when reason = 'purchase' then 'kept' else 'excluded' end as line_status,
        reason,
        -- the fields present but not valid, named for an invalid_value line ('' otherwise)
        case when reason = 'invalid_value' then invalid_fields else '' end as invalid_fields,
        {{ commerce_counts_in_monetary('reason', 'is_service_line') }} as counts_in_monetary,
        n_lines,
        units,
        line_value,
        load_id
    from classified

)

select * from final
