{#- dbt-duckdb and dbt-spark render dbt.safe_cast as a plain cast, which fails the whole model on
    one bad value (on Spark under ANSI mode). A bad raw value must become null and be counted as
    invalid instead. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
