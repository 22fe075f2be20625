{#- Pre-hook of the appended history tables: a warehouse published before the commerce core had
    one store and no `store` column; the column is added with that store's name (first_store(),
    macros/stores/), so its history carries on instead of failing the build on a changed schema. -#}
{% macro backfill_store_column() -%}
    {%- if is_incremental() -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- if 'store' not in columns -%}
    alter table {{ this }} add column store {{ dbt.type_string() }} default {{ sql_string(first_store()) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
