{#-
  Reading the Olist exports: each file through the same fixed-dialect CSV reader as every raw
  file (macros/csv_reader.sql), keeping only the columns the project reads (extra columns are
  ignored), numbered in file order. A required file or column that is missing stops the build with
  one line naming it and OLIST_DIR; an optional file that is missing reads as no rows.
-#}
{% macro olist_dir() -%}
    {{ return(var('olist_dir') or env_var('OLIST_DIR', 'sample_data/olist')) }}
{%- endmacro %}

{#- The columns the project reads from each Olist file, by source table (extra columns of a
    file are ignored; scripts/olist_input.py checks a folder has them before a build). -#}
{% macro olist_columns() -%}
    {{ return({
        'orders': [
            'order_id', 'customer_id', 'order_status', 'order_purchase_timestamp',
            'order_approved_at', 'order_delivered_carrier_date', 'order_delivered_customer_date',
            'order_estimated_delivery_date',
        ],
        'customers': [
            'customer_id', 'customer_unique_id', 'customer_zip_code_prefix', 'customer_city',
            'customer_state',
        ],
        'order_items': [
            'order_id', 'order_item_id', 'product_id', 'seller_id', 'shipping_limit_date', 'price',
            'freight_value',
        ],
        'order_payments': [
            'order_id', 'payment_sequential', 'payment_type', 'payment_installments',
            'payment_value',
        ],
        'products': ['product_id', 'product_category_name'],
        'category_translation': ['product_category_name', 'product_category_name_english'],
        'order_reviews': ['review_id', 'order_id', 'review_score'],
        'sellers': ['seller_id', 'seller_zip_code_prefix', 'seller_city', 'seller_state'],
        'geolocation': [
            'geolocation_zip_code_prefix', 'geolocation_lat', 'geolocation_lng',
            'geolocation_city', 'geolocation_state',
        ],
    }) }}
{%- endmacro %}

{#- The Olist source tables, in the order the per-file models list them. -#}
{% macro olist_tables() -%}
    {{ return(olist_columns().keys() | list) }}
{%- endmacro %}

{#- Whether the file of source table `table` is there (always true before execution). On Spark:
    whether ingestion wrote its rows (SPARK_OLIST_TABLES, set by scripts/spark_build.py). -#}
{% macro olist_file_exists(table) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- if target.type == 'spark' -%}
        {{ return(table in env_var('SPARK_OLIST_TABLES', '').split(',')) }}
    {%- endif -%}
    {%- set found = run_query('select count(*) from glob(' ~ source('olist', table) ~ ')') -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- The rows of one file: line_number and the columns the project reads (olist_columns), all
    text. On Spark, the rows DuckDB's reader returned at ingestion (export_olist_raw_rows). -#}
{% macro olist_rows(table, required=true) -%}
    {%- set columns = olist_columns()[table] -%}
    {%- if not required and not olist_file_exists(table) -%}
    (
        select
            cast(null as {{ dbt.type_bigint() }}) as line_number
            {%- for column in columns %},
            cast(null as {{ dbt.type_string() }}) as {{ column }}
            {%- endfor %}
        where false
    )
    {%- elif target.type == 'spark' -%}
    (
        select
            cast(line_number as {{ dbt.type_bigint() }}) as line_number
            {%- for column in columns %},
            cast({{ adapter.quote(column) }} as {{ dbt.type_string() }}) as {{ column }}
            {%- endfor %}
        from {{ spark_ingested('olist_' ~ table) }}
    )
    {%- else -%}
        {%- if execute -%}
            {%- set file = source('olist', table) -%}
            {%- set present = csv_header_names(file, 'OLIST_DIR') -%}
            {%- for column in columns if column not in present -%}
                {{ exceptions.raise_compiler_error(file ~ ": missing column " ~ column
                    ~ " (found: " ~ (present | join(', ')) ~ ")") }}
            {%- endfor -%}
        {%- endif %}
    (
        select
            row_number() over () as line_number
            {%- for column in columns %},
            "{{ column }}" as {{ column }}
            {%- endfor %}
        from {{ read_csv_file(source('olist', table), 'olist_' ~ table, 'OLIST_DIR') }}
    )
    {%- endif -%}
{%- endmacro %}

{#- One row counting the lines of one Olist file apart from the load (csv_line_counts). On Spark,
    the raw rows DuckDB counted at ingestion (scripts/spark_build.py), as lines with no line
    break inside a record. -#}
{% macro olist_file_lines(table) -%}
    {%- if target.type == 'spark' -%}
    select
        n_raw_rows as n_file_lines,
        cast(0 as {{ dbt.type_bigint() }}) as n_line_breaks_in_records
    from {{ spark_ingested('olist_file_line_counts') }}
    where source_table = '{{ table }}'
    {%- else -%}
    {{ csv_line_counts(source('olist', table), 'olist_' ~ table ~ '_count', 'OLIST_DIR') }}
    {%- endif -%}
{%- endmacro %}

{#- For a Spark build (scripts/spark_build.py), on the scratch DuckDB file of the ingestion: the
    rows olist_rows reads from each Olist file there is, as Parquet files olist_<table>.parquet
    in `folder`, which the Spark build's olist_rows reads.
    dbt run-operation export_olist_raw_rows --args '{folder: ...}' -#}
{% macro export_olist_raw_rows(folder) -%}
    {%- for table in olist_tables() if olist_file_exists(table) -%}
        {%- set target_file = folder ~ '/olist_' ~ table ~ '.parquet' -%}
        {%- do run_query('copy (select * from ' ~ olist_rows(table) ~ ') to '
            ~ sql_string(target_file) ~ ' (format parquet)') -%}
    {%- endfor -%}
{%- endmacro %}
