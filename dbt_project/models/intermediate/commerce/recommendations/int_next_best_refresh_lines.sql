-- A daily build's current product lines (classified, macros/product_lines.sql) of the customers
-- whose next-best products it recomputes (int_next_best_inputs.is_changed), read from each
-- store's input: the product side's own product lines are rebuilt only when a store refits. A
-- store whose product lines are a view over its raw file gives its changed customers' lines
-- itself (macro <store>__current_product_lines(customers), in macros/stores/<store>/).
-- Empty when the run rebuilds the product side (the lists then read its baskets).
{{ config(tags=['next_best_refresh']) }}
-- the union below nests a macro's whole select, whose indentation is its own: -- noqa: disable=LT02
{%- for store in commerce_stores() %}
-- depends_on: {{ ref('stg_' ~ store ~ '__product_lines') }}
{%- endfor %}
{%- set columns = product_line_columns() | join(', ') %}
{%- set changed = "select store, customer_id from " ~ ref('int_next_best_inputs') ~ " where is_changed" %}
{%- set refresh = not builds_product_side() %}
{%- set product_lines %}
    {%- for store in commerce_stores() %}
        {%- if not loop.first %}
        union all
        {%- endif %}
        {%- set current_product_lines = context.get(store ~ '__current_product_lines') %}
        {%- if refresh and current_product_lines %}
        select {{ columns }} from ({{ current_product_lines(
            "select customer_id from (" ~ changed ~ ") as changed where store = '" ~ store ~ "'") }}
        ) as current_lines
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
