{#- Timestamps arrive as ISO text (`2010-12-01 08:26:00`) or, in spreadsheet exports of the
    same data, as `12/1/2010 8:26`; anything else stays null and is flagged invalid. -#}
{% macro parse_retail_timestamp(text) -%}
    coalesce(
        {{ dbt.safe_cast(text, api.Column.translate_type('timestamp')) }},
        try_strptime({{ text }}, '%m/%d/%Y %H:%M'),
        try_strptime({{ text }}, '%m/%d/%Y %H:%M:%S')
    )
{%- endmacro %}

{#- Customer ids are whole numbers; spreadsheet exports write them as `17850.0`. -#}
{% macro parse_whole_number(text) -%}
    case
        when {{ dbt.safe_cast(text, 'double') }} = floor({{ dbt.safe_cast(text, 'double') }})
            then {{ dbt.safe_cast(dbt.safe_cast(text, 'double'), dbt.type_bigint()) }}
    end
{%- endmacro %}

{#- Copy the CSV reader's reject tables (connection-local temp tables) into a real table.
    Runs as a post-hook of the model that reads the file, on the same connection. -#}
{% macro persist_retail_rejects() -%}
    {%- set target_relation = api.Relation.create(
        database=this.database, schema=this.schema, identifier='retail_parser_rejects_load') -%}
    {%- if var('retail_path').lower().endswith('.parquet') -%}
    create or replace table {{ target_relation }} (
        line_number bigint, error_type varchar, column_name varchar, error_message varchar, raw_line varchar
    )
    {%- else -%}
    create or replace table {{ target_relation }} as
    select
        e.line as line_number,
        cast(e.error_type as varchar) as error_type,
        e.column_name,
        e.error_message,
        e.csv_line as raw_line
    from retail_reject_errors as e
    {%- endif -%}
{%- endmacro %}
