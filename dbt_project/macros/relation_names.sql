{#-
  Relations are written as schema.name, never catalog.schema.name. DuckDB names a file's catalog
  after the file, and a view stores the names it was written with: a view reading
  "warehouse"."marts"."x" breaks once the published file is copied, renamed or attached under
  another name by a BI tool. An unqualified schema binds to the view's own catalog instead.
-#}
{% macro ref() -%}
    {%- set relation = builtins.ref(*varargs, **kwargs) -%}
    {%- if relation is not none and relation.include is defined -%}
        {%- set relation = relation.include(database=false) -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro source() -%}
    {%- set relation = builtins.source(*varargs, **kwargs) -%}
    {%- if relation is not none and relation.include is defined -%}
        {%- set relation = relation.include(database=false) -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
