{#- dbt-duckdb renders dbt.safe_cast as a plain cast, which fails the whole model on one bad
    value. A bad raw value must become null and be counted as invalid instead. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
