{#- Stop the model with a message for the user when the data cannot be built from (e.g. no line
    has a date). scripts/build_warehouse.py recognises the "data error: " prefix and prints the
    message as its one line, exit 2. Use as a value: `case when <bad> then {{ data_error("...") }} end`. -#}
{% macro data_error(message) -%}
    {{ return(adapter.dispatch('data_error')(message)) }}
{%- endmacro %}

{% macro default__data_error(message) -%}
    raise_error({{ sql_string('data error: ' ~ message) }})
{%- endmacro %}

{% macro duckdb__data_error(message) -%}
    error({{ sql_string('data error: ' ~ message) }})
{%- endmacro %}
