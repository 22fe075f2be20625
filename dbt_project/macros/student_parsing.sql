{#- Trimmed text, null when empty. -#}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- Trimmed, case-folded text, null when empty: the key to match variants against a seed. -#}
{% macro variant_key(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}

{#- Yes/no flags as CRM exports write them (true/false, TRUE, Yes/No, 1/0, Sí; empty is no).
    Anything else is null, and the row is flagged invalid. -#}
{% macro parse_flag(column) -%}
    case
        when lower(trim({{ column }})) in ('true', 't', 'yes', 'y', '1', 'si', 'sí') then true
        when {{ column }} is null or lower(trim({{ column }})) in ('false', 'f', 'no', 'n', '0', '')
            then false
    end
{%- endmacro %}

{#- Money with two decimals, exact (decimal) so that sums and tie-breaks never depend on the
    order of addition; null when empty or not a number. -#}
{% macro parse_money(column) -%}
    {{ dbt.safe_cast(clean_text(column), 'decimal(18, 2)') }}
{%- endmacro %}

{#- True when the raw text is present but the typed value is null (could not be read). -#}
{% macro is_unreadable(raw, typed) -%}
    ({{ clean_text(raw) }} is not null and {{ typed }} is null)
{%- endmacro %}

{#- The value of `value` on the first row, in `order_by` order, where it is not null. min_by
    exists in DuckDB, Spark and Trino; rows where the ordering key is null are skipped. -#}
{% macro first_filled(value, order_by) -%}
    min_by({{ value }}, case when {{ value }} is not null then {{ order_by }} end)
{%- endmacro %}
