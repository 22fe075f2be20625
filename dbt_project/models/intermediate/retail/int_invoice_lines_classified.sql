-- Every parsed line with exactly one status and reason. The first matching reason wins, in the
-- order of the seed retail_exclusion_reasons; `counts_in_monetary` marks the lines that make up
-- monetary: purchase lines, and product lines of cancellation invoices (negative quantities).

with

lines as (

    select * from {{ ref('stg_retail__invoice_lines') }}

),

as_of as (

    select as_of_date from {{ ref('int_retail_as_of_date') }}

),

service_codes as (

    select distinct stock_code from {{ ref('retail_service_stock_codes') }}

),

flagged as (

    select
        lines.*,
        as_of.as_of_date,
        case
            when upper(lines.invoice_no) like 'C%' then 'cancellation'
            when upper(lines.invoice_no) like 'A%' then 'adjustment'
            else 'purchase'
        end as invoice_type,
        service_codes.stock_code is not null as is_service_code
    from lines
    cross join as_of
    left join service_codes
        on lines.stock_code = service_codes.stock_code

),

classified as (

    select
        *,
        case
            when is_exact_duplicate then 'exact_duplicate'
            when invalid_fields <> '' then 'invalid_value'
            when is_missing_customer then 'no_customer'
            when invoice_date > as_of_date then 'after_as_of_date'
            when invoice_type = 'adjustment' then 'adjustment'
            when invoice_type = 'cancellation' then 'cancellation'
            when is_service_code then 'service_code'
            when quantity <= 0 or unit_price <= 0 then 'non_positive_price_or_quantity'
            else 'purchase'
        end as reason
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
        reason = 'purchase'
            or (reason = 'cancellation' and not is_service_code) as counts_in_monetary
    from classified

)

select * from final
