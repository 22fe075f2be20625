-- One row: how many lines the raw file has, counted apart from the load, and so how many the
-- CSV reader rejected. A reject can cover several lines (an opening quote that is never closed
-- makes the reader run on to the next quote and reject all those lines as one record), so
-- rejected lines = the file's non-blank lines (read as plain text, no quoting, less the header),
-- less the line breaks inside quoted fields of records the reader did return (such a record is
-- one line), less the lines it returned. Parquet has rows, not lines, and no rejects: its raw
-- lines are its rows.
{%- set is_parquet = retail_path().lower().endswith('.parquet') %}

with

{% if is_parquet -%}

file_lines as (

    select
        cast(null as {{ dbt.type_bigint() }}) as n_file_lines,
        cast(null as {{ dbt.type_bigint() }}) as n_line_breaks_in_records,
        {%- if target.type == 'spark' %}
        count(*) as n_raw_lines
    from {{ ref('stg_online_retail__raw_lines') }}
        {%- else %}
        count(*) as n_raw_lines  -- from the file's metadata, not a scan
    from read_parquet({{ source('online_retail', 'invoice_lines') }})
        {%- endif %}

),

{%- else -%}

    {%- set fields = [] %}
    {%- set raw_fields = ['invoice_no', 'stock_code', 'description', 'quantity', 'invoice_date',
                          'unit_price', 'customer_id', 'country'] %}
    {%- for field in raw_fields %}
        {%- do fields.append("coalesce(" ~ field ~ "_raw, '')") %}
    {%- endfor %}
    {%- set record_text = fields | join(' || ') %}

    line_breaks as (

        select
            coalesce(sum(length({{ record_text }}) - length(replace({{ record_text }}, chr(10), ''))), 0)
                as n_line_breaks_in_records
        from {{ ref('stg_online_retail__raw_lines') }}
        where {{ dbt.position('chr(10)', record_text) }} > 0

    ),

    file_lines as (

        select
            text_lines.n_file_lines,
            line_breaks.n_line_breaks_in_records,
            text_lines.n_file_lines - line_breaks.n_line_breaks_in_records as n_raw_lines
        from {{ ref('stg_online_retail__file_line_count') }} as text_lines
        cross join line_breaks

    ),

{%- endif %}

parsed as (

    select coalesce(sum(n_lines), 0) as n_parsed_lines
    from {{ ref('stg_online_retail__line_groups') }}

),

rejects as (

    select count(*) as n_reject_records
    from {{ ref('stg_online_retail__parser_rejects') }}

),

final as (

    select
        cast('online_retail' as {{ dbt.type_string() }}) as store,
        cast(file_lines.n_file_lines as {{ dbt.type_bigint() }}) as n_file_lines,
        cast(file_lines.n_line_breaks_in_records as {{ dbt.type_bigint() }}) as n_line_breaks_in_records,
        cast(file_lines.n_raw_lines as {{ dbt.type_bigint() }}) as n_raw_lines,
        cast(parsed.n_parsed_lines as {{ dbt.type_bigint() }}) as n_parsed_lines,
        cast(rejects.n_reject_records as {{ dbt.type_bigint() }}) as n_reject_records,
        cast(file_lines.n_raw_lines - parsed.n_parsed_lines as {{ dbt.type_bigint() }})
            as n_rejected_lines
    from file_lines
    cross join parsed
    cross join rejects

)

select * from final
