-- The canonical order lines of every store (macros/commerce_rules.sql commerce_stores()), one
-- adapter model each: everything customer-facing is computed once from here, per store.
{{ config(materialized='view') }}

{% for store in commerce_stores() -%}
    select * from {{ ref('stg_' ~ store ~ '__order_lines') }} -- noqa: AM04
    {% if not loop.last %}union all
{% endif -%}
{%- endfor %}
