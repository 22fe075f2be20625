-- How the retail file writes its slashed dates, decided once for the file
-- (macros/timestamps.sql); every model that reads a timestamp of the file reads it so.
-- depends_on: {{ ref('stg_online_retail__raw_lines') }}
{{ config(materialized='table') }}

{{ date_order_row(decide_retail_date_order() if execute else {'date_order': 'month_first', 'decided_by': 'default', 'example': none}) }}
