-- How the retail file writes its slashed dates, decided once for the file
-- (macros/retail_date_order.sql); every model that reads a timestamp of the file reads it so.
-- depends_on: {{ ref('stg_online_retail__raw_lines') }}
{{ config(materialized='table') }}

{%- set decision = decide_retail_date_order() if execute else {'date_order': 'month_first', 'decided_by': 'default', 'example': none} %}

select
    {{ sql_string(decision.date_order) }} as date_order,
    {{ sql_string(decision.decided_by) }} as decided_by,
    {% if decision.example -%}
    {{ sql_string(decision.example) }}
    {%- else -%}
    cast(null as {{ dbt.type_string() }})
    {%- endif %} as example_timestamp
