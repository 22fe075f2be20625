-- Lines of the raw CSV the reader could not split (wrong number of fields, a line over the
-- reader's limit, an opening quote never closed, invalid UTF-8): one row per reject, with the
-- reader's errors and the raw text. The pre-hook reads every field of every line once with
-- the reader's reject tables on; the model lists what they caught. Parquet has no rejects. On
-- Spark, the rejects DuckDB's reader found when the file was ingested (macros/spark_ingest.sql).
{%- set is_parquet = retail_path().lower().endswith('.parquet') %}
{{ config(pre_hook=[] if is_parquet or target.type == 'spark'
    else ["{{ csv_reject_scan(source('online_retail', 'invoice_lines'), 'online_retail_rejects', 'RETAIL_PATH') }}"]) }}

with

{% if target.type == 'spark' -%}

final as (

    select
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(error_type as {{ dbt.type_string() }}) as error_type,
        cast(error_message as {{ dbt.type_string() }}) as error_message,
        cast(raw_line as {{ dbt.type_string() }}) as raw_line
    from {{ spark_ingested('parser_rejects') }}

)

{%- elif is_parquet -%}

final as (

    {{ no_parser_rejects() }}

)

{%- else -%}

    final as (

        {{ csv_reject_rows('online_retail_rejects') }}

    )

{%- endif %}

select * from final
