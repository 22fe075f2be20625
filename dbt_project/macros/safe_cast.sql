{#- dbt-duckdb and dbt-spark render dbt.safe_cast as a plain cast, which fails the whole model on
    one bad value (on Spark under ANSI mode). A bad raw value must become null and be counted as
    invalid instead. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#- Customer ids are whole numbers; spreadsheet exports write them as `17850.0`. -#}
{% macro parse_whole_number(text) -%}
    case
        when {{ dbt.safe_cast(text, 'double') }} = floor({{ dbt.safe_cast(text, 'double') }})
            then {{ dbt.safe_cast(dbt.safe_cast(text, 'double'), dbt.type_bigint()) }}
    end
{%- endmacro %}
