-- How many lines the raw file has, counted apart from the load, so that the reconciliation can
-- account for lines the CSV reader could not return one by one: an opening quote that is never
-- closed makes the reader run on to the next quote and reject all those lines as one record.
-- For CSV: the non-blank lines of the file read as plain text (no quoting, no columns) less the
-- header, and the line breaks inside quoted fields of records
-- the reader did return (such a record is one line). Parquet has rows, not lines: null.
{%- set is_parquet = retail_path().lower().endswith('.parquet') %}

with

{% if is_parquet -%}

final as (

    select
        cast(null as {{ dbt.type_bigint() }}) as n_file_lines,
        cast(null as {{ dbt.type_bigint() }}) as n_line_breaks_in_records

)

{%- else -%}

file_lines as (

    select count(text_line) - 1 as n_file_lines
    from read_csv({{ source('retail', 'invoice_lines') }}, header = false, auto_detect = false,
        columns = {'text_line': 'VARCHAR'}, delim = '{{ "\x1f" }}', quote = '', escape = '',
        strict_mode = false, max_line_size = 67108864)

),

{%- set col = retail_columns() %}
{%- set fields = [] %}
{%- for logical in ['invoice_no', 'stock_code', 'description', 'quantity', 'invoice_date', 'unit_price', 'customer_id', 'country'] %}
    {%- do fields.append('coalesce("' ~ col[logical] ~ '", \'\')') %}
{%- endfor %}
{%- set record_text = fields | join(' || ') %}

line_breaks as (

    select
        coalesce(sum(length({{ record_text }}) - length(replace({{ record_text }}, chr(10), ''))), 0)
            as n_line_breaks_in_records
    from {{ retail_raw_lines(rejects='retail_line_count') }}
    where strpos({{ record_text }}, chr(10)) > 0

),

final as (

    select
        cast(file_lines.n_file_lines as {{ dbt.type_bigint() }}) as n_file_lines,
        cast(line_breaks.n_line_breaks_in_records as {{ dbt.type_bigint() }}) as n_line_breaks_in_records
    from file_lines
    cross join line_breaks

)

{%- endif %}

select * from final
