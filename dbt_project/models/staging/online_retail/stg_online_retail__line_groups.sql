-- The one load of the raw file. Lines are grouped twice: identical lines into one (their
-- copies after the first are exact duplicates), then lines that share invoice, timestamp,
-- customer, country and every fact the exclusion rules read, so each group has one fate.
-- Every raw line the reader parsed is in exactly one group (n_lines); the marts read groups
-- instead of lines. Incremental: lines appended to the file since the last build reload only
-- the invoice dates they fall on (identical lines always share their date); a file that is not
-- an append of the one loaded before, or was loaded by other rules (this model, a macro it calls
-- or the service-code seed changed since), is reloaded whole (macros/retail_incremental.sql).
{{ config(
    materialized=incremental_unless_spark(),
    incremental_strategy='delete+insert',
    unique_key='invoice_date_key',
    on_schema_change='sync_all_columns',
    pre_hook="{{ retail_forget_unless_appended() }}",
) }}

{%- set col = retail_columns() %}
{%- set types = col.types %}

{#- The lines to load: the whole file, or on an incremental build every line on the invoice dates
    of the lines appended since the last build. Read from the raw-lines view at each use instead
    of a shared CTE: a CTE read three times is materialized, which at 100M lines means copying
    the file into memory and spilling it; three streaming scans of the file are far cheaper. #}
{%- set source_lines = "select * from " ~ ref('stg_online_retail__raw_lines') %}
{#- the form of invoice_date_key: text, '' for a missing date, so undated lines match too #}
{%- set date_key = "coalesce(cast(invoice_date_raw as " ~ dbt.type_string() ~ "), '')" %}
{%- set lines -%}
    select *
    from ({{ source_lines }}) as source_lines
    {%- if is_incremental() %}
    where {{ date_key }} in (
        select {{ date_key }}
        from ({{ source_lines }}) as source_lines
        where line_number > (select coalesce(max(last_line_number), 0) from {{ this }})
    )
    {%- endif %}
{%- endset %}

with

repeated_hashes as (

    -- Identical lines share a hash, so a line whose hash is seen once has no copy. Only the
    -- few lines whose hash repeats (copies, or in theory a collision) are compared column by
    -- column below; grouping every line by all its columns would be the costliest step.
    select line_hash
    from ({{ lines }}) as lines
    group by line_hash
    having count(*) > 1

),

distinct_lines as (

    -- the fields the rest of the load reads; the description only tells lines apart
    {%- set kept = ['invoice_no_raw', 'stock_code_raw', 'quantity_raw', 'invoice_date_raw',
                    'unit_price_raw', 'customer_id_raw', 'country_raw', 'line_hash'] %}

    select
        {{ kept | join(', ') }},
        1 as n_copies,
        line_number as last_line_number
    from ({{ lines }}) as lines
    where line_hash not in (select repeated_hashes.line_hash from repeated_hashes)

    union all

    select
        {{ kept | join(', ') }},
        count(*) as n_copies,
        max(line_number) as last_line_number
    from ({{ lines }}) as lines
    where line_hash in (select repeated_hashes.line_hash from repeated_hashes)
    group by {{ kept | join(', ') }}, description_raw

),

service_codes as (

    select distinct stock_code from {{ ref('retail_service_stock_codes') }}

),

typed_lines as (

    select
        distinct_lines.*,
        {{ retail_quantity('quantity_raw', types.get('quantity', 'VARCHAR')) }} as quantity,
        {{ retail_unit_price('unit_price_raw', types.get('unit_price', 'VARCHAR')) }} as unit_price,
        {{ retail_text('stock_code_raw') }} in (select service_codes.stock_code from service_codes) as is_service_code
    from distinct_lines

),

flagged_lines as (

    select
        *,
        quantity is null as is_quantity_invalid,
        unit_price is null as is_unit_price_invalid,
        coalesce(quantity > 0 and unit_price > 0, false) as has_positive_quantity_and_price
    from typed_lines

),

line_groups as (

    select
        invoice_no_raw,
        invoice_date_raw,
        customer_id_raw,
        country_raw,
        is_service_code,
        is_quantity_invalid,
        is_unit_price_invalid,
        has_positive_quantity_and_price,
        count(*) as n_distinct_lines,
        sum(n_copies) - count(*) as n_duplicate_lines,
        sum(quantity) as units,
        sum(quantity * unit_price) as line_value,
        max(last_line_number) as last_line_number,
        {{ value_at_max('line_hash', 'last_line_number') }} as last_line_hash
    from flagged_lines
    group by
        invoice_no_raw,
        invoice_date_raw,
        customer_id_raw,
        country_raw,
        is_service_code,
        is_quantity_invalid,
        is_unit_price_invalid,
        has_positive_quantity_and_price

),

typed_groups as (

    select
        *,
        {{ retail_text('invoice_no_raw') }} as invoice_no,
        {{ parse_retail_timestamp(retail_text('invoice_date_raw')) }} as invoiced_at,
        {{ retail_customer_id('customer_id_raw', types.get('customer_id', 'VARCHAR')) }} as customer_id,
        nullif({{ retail_text('country_raw') }}, '') as country,
        {{ retail_is_missing_customer('customer_id_raw') }} as is_missing_customer
    from line_groups

),

flagged as (

    select
        *,
        {{ retail_invoice_type('invoice_no') }} as invoice_type,
        {{ retail_invalid_fields(
            'invoice_no', 'is_quantity_invalid', 'invoiced_at', 'is_unit_price_invalid', 'customer_id',
            'is_missing_customer',
        ) }} as invalid_fields
    from typed_groups

),

copies as (

    -- the first copy of every line, then the later copies of duplicated lines as their own group
    select
        invoice_date_raw,
        invoice_no,
        invoice_type,
        customer_id,
        country,
        invoiced_at,
        is_service_code,
        invalid_fields,
        is_missing_customer,
        has_positive_quantity_and_price,
        false as is_exact_duplicate,
        n_distinct_lines as n_lines,
        units,
        line_value,
        last_line_number,
        last_line_hash
    from flagged

    union all

    select
        invoice_date_raw,
        invoice_no,
        invoice_type,
        customer_id,
        country,
        invoiced_at,
        is_service_code,
        invalid_fields,
        is_missing_customer,
        has_positive_quantity_and_price,
        true as is_exact_duplicate,
        n_duplicate_lines as n_lines,
        null as units,
        null as line_value,
        last_line_number,
        last_line_hash
    from flagged
    where n_duplicate_lines > 0

),

final as (

    select
        {{ date_key }} as invoice_date_key,
        invoice_no,
        invoice_type,
        customer_id,
        country,
        invoiced_at,
        cast(invoiced_at as date) as invoice_date,
        is_service_code,
        is_exact_duplicate,
        invalid_fields,
        is_missing_customer,
        has_positive_quantity_and_price,
        n_lines,
        units,
        line_value,
        last_line_number,
        last_line_hash,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as load_id,
        {{ retail_load_fingerprint() }} as load_fingerprint
    from copies

)

select * from final
