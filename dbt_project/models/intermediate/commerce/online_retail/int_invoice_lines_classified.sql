-- A view: every parsed line of the online_retail store with exactly one status and reason, for
-- drilling down to single lines. The rules are the macros in macros/commerce_rules.sql, the
-- same ones that classify the order lines the marts are built from (int_order_lines_classified).
{{ config(materialized='view', enabled='online_retail' in commerce_stores()) }}

with

lines as (

    select * from {{ ref('stg_online_retail__invoice_lines') }}

),

as_of as (

    select as_of_date from {{ ref('int_store_as_of_dates') }}
    where store = 'online_retail'

),

service_codes as (

    select distinct stock_code from {{ ref('retail_service_stock_codes') }}

),

flagged as (

    select
        lines.*,
        as_of.as_of_date,
        {{ retail_invoice_type('lines.invoice_no') }} as invoice_type,
        service_codes.stock_code is not null as is_service_code,
        false as is_conflicting_duplicate,
        coalesce(lines.quantity > 0 and lines.unit_price > 0, false) as has_positive_quantity_and_price
    from lines
    cross join as_of
    left join service_codes
        on lines.stock_code = service_codes.stock_code

),

classified as (

    select
        *,
        {%- set intrinsic_reason = commerce_intrinsic_reason('invoice_type', 'is_service_code') %}
        {{ commerce_reason_as_of(intrinsic_reason, 'invoice_date', 'as_of_date') }} as reason
    from flagged

),

final as (

    select
        line_number,
        invoice_no,
        invoice_type,
        stock_code,
        description,
        quantity,
        unit_price,
        quantity * unit_price as line_value,
        invoiced_at,
        invoice_date,
        customer_id,
        country,
        is_service_code,
        case when reason = 'purchase' then 'kept' else 'excluded' end as line_status,
        reason,
        {{ commerce_counts_in_monetary('reason', 'is_service_code') }} as counts_in_monetary
    from classified

)

select * from final
