{{ config(post_hook="{{ persist_csv_rejects('retail_reject_errors', 'retail_parser_rejects_load', from_file=not var('retail_path').lower().endswith('.parquet')) }}") }}

{%- set col = retail_columns() %}

with

source as (

    select * from {{ source('retail', 'invoice_lines') }}

),

as_text as (

    -- the same text whatever the file format, so that duplicates and typing behave alike
    select
        {% if col.has_file_row_number -%}
        file_row_number + 1 as line_number,
        {%- else -%}
        row_number() over () as line_number,
        {%- endif %}
        cast("{{ col.invoice_no }}" as varchar) as invoice_no_text,
        cast("{{ col.stock_code }}" as varchar) as stock_code_text,
        cast("{{ col.description }}" as varchar) as description,
        cast("{{ col.quantity }}" as varchar) as quantity_text,
        cast("{{ col.invoice_date }}" as varchar) as invoice_date_text,
        cast("{{ col.unit_price }}" as varchar) as unit_price_text,
        cast("{{ col.customer_id }}" as varchar) as customer_id_text,
        cast("{{ col.country }}" as varchar) as country_text
    from source

),

typed as (

    select
        line_number,
        trim(invoice_no_text) as invoice_no,
        trim(stock_code_text) as stock_code,
        description,
        {{ dbt.safe_cast('trim(quantity_text)', dbt.type_bigint()) }} as quantity,
        {{ parse_retail_timestamp('trim(invoice_date_text)') }} as invoiced_at,
        -- exact decimals: money sums must not depend on the order rows are added in
        {{ dbt.safe_cast('trim(unit_price_text)', 'decimal(18, 6)') }} as unit_price,
        {{ parse_whole_number('trim(customer_id_text)') }} as customer_id,
        nullif(trim(country_text), '') as country,
        nullif(trim(customer_id_text), '') is null as is_missing_customer,
        quantity_text,
        invoice_date_text,
        unit_price_text,
        customer_id_text,
        row_number() over (
            partition by
                invoice_no_text, stock_code_text, description, quantity_text,
                invoice_date_text, unit_price_text, customer_id_text, country_text
            order by line_number
        ) > 1 as is_exact_duplicate
    from as_text

),

final as (

    select
        line_number,
        invoice_no,
        stock_code,
        description,
        quantity,
        invoiced_at,
        cast(invoiced_at as date) as invoice_date,
        unit_price,
        customer_id,
        country,
        is_missing_customer,
        is_exact_duplicate,
        -- fields that are present but could not be typed; empty when the line is clean
        concat_ws(', ',
            case when nullif(invoice_no, '') is null then 'InvoiceNo (empty)' end,
            case when quantity is null then 'Quantity' end,
            case when invoiced_at is null then 'InvoiceDate' end,
            case when unit_price is null then 'UnitPrice' end,
            case when customer_id is null and not is_missing_customer then 'CustomerID' end
        ) as invalid_fields
    from typed

)

select * from final
