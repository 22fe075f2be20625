{#- Timestamps arrive as ISO text (`2010-12-01 08:26:00`) or, in spreadsheet exports of the
    same data, as `12/1/2010 8:26`; anything else stays null and is flagged invalid. -#}
{% macro parse_retail_timestamp(text) -%}
    coalesce(
        {{ dbt.safe_cast(text, api.Column.translate_type('timestamp')) }},
        try_strptime({{ text }}, '%m/%d/%Y %H:%M'),
        try_strptime({{ text }}, '%m/%d/%Y %H:%M:%S')
    )
{%- endmacro %}

{#- Customer ids are whole numbers; spreadsheet exports write them as `17850.0`. -#}
{% macro parse_whole_number(text) -%}
    case
        when {{ dbt.safe_cast(text, 'double') }} = floor({{ dbt.safe_cast(text, 'double') }})
            then {{ dbt.safe_cast(dbt.safe_cast(text, 'double'), dbt.type_bigint()) }}
    end
{%- endmacro %}
