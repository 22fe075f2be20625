{#-
  dbt's `where` config of a test, with one placeholder: __this_build__ stands for this build's
  invocation id (the `where` text is rendered when the project is parsed, which partial parsing
  caches). Line-level tests carry `where: "load_id = __this_build__"`: a build tests the lines it
  loaded, not every line of the history again (lines reloaded for any reason get a new load id).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set where = where | replace('__this_build__', "'" ~ invocation_id ~ "'") -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
