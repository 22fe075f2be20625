{#- Copy a CSV reader's reject table (a connection-local temp table) into a real table named
    `identifier` beside the model, so the reconciliation can count the lines the reader could
    not split. Runs as a post-hook of the staging model that reads the file, on its connection.
    With `from_file=false` (e.g. Parquet input, which has no reject table) the table is empty. -#}
{% macro persist_csv_rejects(rejects_table, identifier, from_file=true) -%}
    {%- set target_relation = api.Relation.create(
        database=this.database, schema=this.schema, identifier=identifier) -%}
    {%- if from_file -%}
    create or replace table {{ target_relation }} as
    select
        e.line as line_number,
        cast(e.error_type as varchar) as error_type,
        e.column_name,
        e.error_message,
        e.csv_line as raw_line
    from {{ rejects_table }} as e
    {%- else -%}
    create or replace table {{ target_relation }} (
        line_number bigint, error_type varchar, column_name varchar, error_message varchar, raw_line varchar
    )
    {%- endif -%}
{%- endmacro %}
