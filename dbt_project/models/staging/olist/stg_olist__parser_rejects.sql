-- Lines of the Olist exports that the CSV reader could not split: one row per file and line.
-- The pre-hooks read each file there is once with the reader's reject tables on. On Spark, the
-- rejects DuckDB's reader found when the files were ingested (macros/spark_ingest.sql).
{%- set hooks = [] %}
{%- for table in olist_tables() if target.type != 'spark' %}
    {%- do hooks.append("{% if olist_file_exists('" ~ table ~ "') %}{{ csv_reject_scan(olist_file('"
        ~ table ~ "'), 'olist_" ~ table ~ "_rejects', 'OLIST_DIR') }}{% endif %}") %}
{%- endfor %}
{{ config(pre_hook=hooks) }}

{%- set present = [] %}
{%- for table in olist_tables() if olist_file_exists(table) %}
    {%- do present.append(table) %}
{%- endfor %}

with

{% if target.type == 'spark' -%}

final as (

    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(error_type as {{ dbt.type_string() }}) as error_type,
        cast(error_message as {{ dbt.type_string() }}) as error_message,
        cast(raw_line as {{ dbt.type_string() }}) as raw_line
    from {{ spark_ingested('olist_parser_rejects') }}

)

{%- else -%}

    {% for table in present -%}
        {{ table }}_rejects as (

            {{ csv_reject_rows('olist_' ~ table ~ '_rejects') }}

        ),

    {% endfor -%}

    final as (

        {% for table in present -%}
            select
                cast('{{ table }}' as {{ dbt.type_string() }}) as source_table,
                {{ table }}_rejects.*
            from {{ table }}_rejects
            {% if not loop.last %}union all
            {% endif -%}
        {%- endfor %}

    )

{%- endif %}

select * from final
