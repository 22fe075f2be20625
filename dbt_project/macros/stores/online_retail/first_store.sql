{#- The one store of warehouses published before there were stores (their tables have no store
    column): scripts/stores FIRST_STORE says the same. -#}
{% macro first_store() -%}
    {{ return('online_retail') }}
{%- endmacro %}
