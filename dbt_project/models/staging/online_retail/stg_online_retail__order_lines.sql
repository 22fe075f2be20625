-- The online_retail adapter: its line groups mapped onto the canonical order lines every store
-- provides (intermediate/commerce/int_order_lines_unioned). An invoice is an order; `C...`
-- invoices are cancellations, `A...` adjustments; postage, fees and other service stock codes
-- (seed retail_service_stock_codes) are service lines.
{{ config(materialized='view') }}

with

line_groups as (

    select * from {{ ref('stg_online_retail__line_groups') }}

),

final as (

    select
        cast('online_retail' as {{ dbt.type_string() }}) as store,
        invoice_no as order_id,
        invoice_type as order_type,
        customer_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_key,
        country,
        invoiced_at as ordered_at,
        invoice_date as order_date,
        is_service_code as is_service_line,
        is_exact_duplicate,
        -- an invoice's lines share its number: a repeated number is never a conflict here
        false as is_conflicting_duplicate,
        invalid_fields,
        is_missing_customer,
        has_positive_quantity_and_price,
        n_lines,
        units,
        line_value,
        load_id
    from line_groups

)

select * from final
