-- A daily build's current product lines (classified, macros/product_lines.sql) of the customers
-- whose next-best products it recomputes (int_next_best_inputs.is_changed), read from each
-- store's input: the product side's own product lines are rebuilt only when a store refits.
-- Empty when the run rebuilds the product side (the lists then read its baskets).
{{ config(tags=['next_best_refresh']) }}
-- the union below nests a macro's whole select, whose indentation is its own: -- noqa: disable=LT02
-- depends_on: {{ ref('stg_online_retail__product_lines') if 'online_retail' in commerce_stores() else ref('int_next_best_inputs') }}
{%- set columns = product_line_columns() | join(', ') %}
{%- set changed = "select store, customer_id from " ~ ref('int_next_best_inputs') ~ " where is_changed" %}
{%- set refresh = not builds_product_side() %}
{%- set product_lines %}
    {%- for store in commerce_stores() %}
        {%- if not loop.first %}
        union all
        {%- endif %}
        {%- if refresh and store == 'online_retail' %}
        select {{ columns }} from ({{ retail_product_lines(
            "select customer_id from (" ~ changed ~ ") as changed where store = 'online_retail'") }}
        ) as retail_lines
        {%- else %}
        select {{ columns }} from {{ ref('stg_' ~ store ~ '__product_lines') }} as store_lines
        where {% if refresh -%}
            customer_id in (
                select changed.customer_id from ({{ changed }}) as changed
                where changed.store = '{{ store }}'
            )
        {%- else -%}
            false
        {%- endif %}
        {%- endif %}
    {%- endfor %}
{%- endset %}

{{ classified_product_lines(product_lines) }}
