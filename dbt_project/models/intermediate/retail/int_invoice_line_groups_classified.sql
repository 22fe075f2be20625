-- The line groups with their final status and reason: the as-of date rule applied on read (so
-- a new as-of date never reloads lines), and whether the group's lines make up monetary.
{{ config(materialized='view') }}

with

line_groups as (

    select * from {{ ref('int_invoice_line_groups') }}

),

as_of as (

    select as_of_date from {{ ref('int_retail_as_of_date') }}

),

classified as (

    select
        line_groups.invoice_no,
        line_groups.invoice_type,
        line_groups.customer_id,
        line_groups.country,
        line_groups.invoiced_at,
        line_groups.invoice_date,
        line_groups.is_service_code,
        line_groups.n_lines,
        line_groups.units,
        line_groups.line_value,
        {{ retail_reason_as_of('line_groups.reason', 'line_groups.invoice_date', 'as_of.as_of_date') }} as reason
    from line_groups
    cross join as_of

),

final as (

    select
        invoice_no,
        invoice_type,
        customer_id,
        country,
        invoiced_at,
        invoice_date,
        is_service_code,
        case when reason = 'purchase' then 'kept' else 'excluded' end as line_status,
        reason,
        {{ retail_counts_in_monetary('reason', 'is_service_code') }} as counts_in_monetary,
        n_lines,
        units,
        line_value
    from classified

)

select * from final
