-- Every store's product lines (stg_<store>__product_lines) with the commerce rules applied: the
-- same reasons as the order lines (macros/commerce_rules.sql), so a product's revenue and a
-- customer's spend per product add up to the customer's monetary.
{{ config(materialized='view') }}
{%- set columns = product_line_columns() | join(', ') %}

{%- set product_lines %}
    {%- for store in commerce_stores() %}
        {%- if not loop.first %}
        union all
        {%- endif %}
        select {{ columns }} from {{ ref('stg_' ~ store ~ '__product_lines') }}
    {%- endfor %}
{%- endset %}
{{ classified_product_lines(product_lines) }}
