-- How the orders file writes its slashed dates, decided once for the file (macros/timestamps.sql);
-- stg_generic_orders__lines reads every ordered_at so.
-- depends_on: {{ ref('stg_generic_orders__raw_lines') }}
{{ config(materialized='table') }}

{{ date_order_row(decide_date_order(
    ref('stg_generic_orders__raw_lines'), 'ordered_at_raw', 'ordered_at', 'orders_date_order')
    if execute else {'date_order': 'month_first', 'decided_by': 'default', 'example': none}) }}
