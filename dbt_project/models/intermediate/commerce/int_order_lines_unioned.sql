-- The canonical order lines of every store (macros/commerce_rules.sql commerce_stores()), one
-- adapter model each, with the columns of commerce_order_line_columns(): everything
-- customer-facing is computed once from here, per store.
{{ config(materialized='view') }}
{%- set columns = commerce_order_line_columns() | join(', ') %}

{% for store in commerce_stores() %}
    {%- if not loop.first %}
        union all
    {%- endif %}
    select {{ columns }} from {{ ref('stg_' ~ store ~ '__order_lines') }}
{%- endfor %}
