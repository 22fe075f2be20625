{#- Your orders file: the `orders_path` var, else ORDERS_PATH; no sample: the store is built
    from a file given only. -#}
{% macro orders_path() -%}
    {{ return(var('orders_path') or env_var('ORDERS_PATH', '')) }}
{%- endmacro %}
