{#-
  The rows a model's table held before this build, for the models that carry state from one
  build to the next (the segment model store): `select` of `columns` (a list of [name, type])
  from the existing relation of model `model_name`, read by name rather than through ref() since
  the model is built later in the same run. No rows (typed) when the relation does not exist yet
  or lacks one of the columns (written by an older version of the project).
-#}
{% macro previous_rows(model_name, columns) -%}
    {%- set relation = none -%}
    {%- set complete = false -%}
    {%- if execute -%}
        {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is not none -%}
            {%- set present = adapter.get_columns_in_relation(relation)
                | map(attribute='name') | map('lower') | list -%}
            {%- set missing = columns | map(attribute=0) | reject('in', present) | list -%}
            {%- set complete = missing | length == 0 -%}
        {%- endif -%}
    {%- endif %}
    {{ typed_select(columns, relation.include(database=false) if complete else none) }}
{%- endmacro %}

{#- An incremental model's own rows before this build (`where`: which), or no rows (typed) on
    its first build or a full refresh. -#}
{% macro incremental_previous(columns, where='true') -%}
    {%- if is_incremental() -%}
    {{ typed_select(columns, this, where) }}
    {%- else -%}
    {{ typed_select(columns, none) }}
    {%- endif -%}
{%- endmacro %}

{#- `columns` ([name, type] pairs) cast from `relation`, or typed nulls and no row without one. -#}
{% macro typed_select(columns, relation, where='true') -%}
    select
    {%- for name, type in columns %}
        cast({{ name if relation is not none else 'null' }} as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    {%- if relation is not none %}
    from {{ relation }}
    where {{ where }}
    {%- else %}
    where false
    {%- endif %}
{%- endmacro %}
