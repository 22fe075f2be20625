-- The lines of known customers at product level, for the product side (products, categories,
-- customers' interests): one row per invoice, customer, stock code and description with the flags
-- the commerce rules read, the lines, units and value. Exact duplicates are found as in the load
-- (stg_online_retail__line_groups): only lines whose fingerprint repeats are compared column by
-- column. Lines without a customer are left out: no rule ever counts them.
{{ config(tags=['products']) }}
{%- set col = retail_columns() %}
{%- set types = col.types %}
{%- set customer_lines = "select * from " ~ ref('stg_online_retail__raw_lines')
    ~ " where nullif(trim(cast(customer_id_raw as " ~ dbt.type_string() ~ ")), '') is not null" %}

with

repeated_hashes as (

    select line_hash
    from ({{ customer_lines }}) as lines
    group by line_hash
    having count(*) > 1

),

{%- set kept = ['invoice_no_raw', 'stock_code_raw', 'description_raw', 'quantity_raw',
                'invoice_date_raw', 'unit_price_raw', 'customer_id_raw', 'country_raw'] %}

distinct_lines as (

    select
        {{ kept | join(', ') }},
        1 as n_copies
    from ({{ customer_lines }}) as lines
    where line_hash not in (select repeated_hashes.line_hash from repeated_hashes)

    union all

    select
        {{ kept | join(', ') }},
        count(*) as n_copies
    from ({{ customer_lines }}) as lines
    where line_hash in (select repeated_hashes.line_hash from repeated_hashes)
    group by {{ kept | join(', ') }}

),

typed as (

    select
        {{ retail_text('invoice_no_raw') }} as invoice_no,
        {{ parse_retail_timestamp(retail_text('invoice_date_raw')) }} as invoiced_at,
        {{ retail_customer_id('customer_id_raw', types.get('customer_id', 'VARCHAR')) }} as customer_id,
        nullif({{ retail_text('country_raw') }}, '') as country,
        {{ retail_text('stock_code_raw') }} as stock_code,
        nullif(trim(cast(description_raw as {{ dbt.type_string() }})), '') as description,
        {{ retail_quantity('quantity_raw', types.get('quantity', 'VARCHAR')) }} as quantity,
        {{ retail_unit_price('unit_price_raw', types.get('unit_price', 'VARCHAR')) }} as unit_price,
        n_copies
    from distinct_lines

),

service_codes as (

    select distinct stock_code from {{ ref('retail_service_stock_codes') }}

),

final as (

    select
        cast('online_retail' as {{ dbt.type_string() }}) as store,
        invoice_no as order_id,
        {{ retail_invoice_type('invoice_no') }} as order_type,
        customer_id,
        country,
        cast(invoiced_at as date) as order_date,
        stock_code as product_id,
        description,
        stock_code in (select service_codes.stock_code from service_codes) as is_service_line,
        {{ retail_invalid_fields(
            'invoice_no', 'quantity is null', 'invoiced_at', 'unit_price is null', 'customer_id',
            'false',
        ) }} as invalid_fields,
        coalesce(quantity > 0 and unit_price > 0, false) as has_positive_quantity_and_price,
        cast(count(*) as {{ dbt.type_bigint() }}) as n_lines,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as units,
        sum(quantity * unit_price) as line_value,
        min(unit_price) as min_unit_price,
        max(unit_price) as max_unit_price
    from typed
    group by
        invoice_no, invoiced_at, customer_id, country, stock_code, description, quantity is null,
        unit_price is null, coalesce(quantity > 0 and unit_price > 0, false)

)

select * from final
