-- The canonical order lines of every store (macros/commerce_rules.sql commerce_stores()), one
-- adapter model each, with the columns of commerce_order_line_columns(): everything
-- customer-facing is computed once from here, per store.
{{ config(materialized='view') }}

{% for store in commerce_stores() -%}
    select
        {%- for column in commerce_order_line_columns() %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('stg_' ~ store ~ '__order_lines') }}
    {%- if not loop.last %}
    union all
    {% endif %}
{%- endfor %}
