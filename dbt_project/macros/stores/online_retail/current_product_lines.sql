{#- The retail file's lines of known customers at product level (stg_online_retail__product_lines
    says what a row is), of every customer or of those `customers` selects (a select of
    customer_id): a daily build's next-best refresh reads the current lines of the customers whose
    lists it recomputes without rebuilding the product side. -#}
{% macro online_retail__current_product_lines(customers=none) -%}
{%- set col = retail_columns() %}
{%- set types = col.types %}
{%- set customer_lines -%}
    select * from {{ ref('stg_online_retail__raw_lines') }} as source_lines
    where nullif(trim(cast(customer_id_raw as {{ dbt.type_string() }})), '') is not null
    {%- if customers is not none %}
        and {{ retail_customer_id('customer_id_raw', types.get('customer_id', 'VARCHAR')) }} in (
            select customers.customer_id from ({{ customers }}) as customers
        )
    {%- endif %}
{%- endset %}

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
        cast(null as {{ dbt.type_string() }}) as category,
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
{%- endmacro %}
