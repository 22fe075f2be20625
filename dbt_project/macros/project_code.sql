{#-
  The code a model's rows depend on: the model's own, that of the views (and ephemeral models) it
  reads, followed upstream until a table, when `through_views`, and of every project macro any of
  them calls (the model's own macros unless `own_macros` is false), followed through the macros
  they call and the adapter implementations of dispatched ones. Stored rows made by other code are
  recomputed. (dbt adds to a model's macros those its body calls when it runs, so a model whose
  body calls macros only on incremental runs must leave its own out to get the same value in its
  hooks and its body.)
-#}
{% macro project_code_texts(node, through_views=false, own_macros=true) -%}
    {%- set texts = [node.raw_code] -%}
    {%- set pending = (node.depends_on.macros if own_macros else []) | list -%}
    {%- if through_views -%}
        {%- set parents = node.depends_on.nodes | list -%}
        {%- set visited = [] -%}
        {#- Jinja has no while loop: a few rounds reach every view the model reads #}
        {%- for round in range(6) -%}
            {%- set next_parents = [] -%}
            {%- for unique_id in parents if unique_id not in visited and unique_id in graph.nodes -%}
                {%- do visited.append(unique_id) -%}
                {%- set parent = graph.nodes[unique_id] -%}
                {%- if parent.resource_type == 'model'
                    and parent.config.materialized in ['view', 'ephemeral'] -%}
                    {%- do texts.append(parent.raw_code) -%}
                    {%- do pending.extend(parent.depends_on.macros) -%}
                    {%- do next_parents.extend(parent.depends_on.nodes) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set parents = next_parents -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set seen = [] -%}
    {%- for round in range(6) -%}
        {%- set next_round = [] -%}
        {%- for unique_id in pending if unique_id.startswith('macro.' ~ project_name ~ '.') and unique_id not in seen -%}
            {%- do seen.append(unique_id) -%}
            {%- set name = unique_id.split('.')[-1] -%}
            {%- for candidate in [name, adapter.type() ~ '__' ~ name, 'default__' ~ name] if context.get(candidate) -%}
                {%- set macro = context[candidate].macro -%}
                {%- do texts.append(macro.macro_sql) -%}
                {%- do next_round.extend(macro.depends_on.macros) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set pending = next_round -%}
    {%- endfor -%}
    {{ return(texts) }}
{%- endmacro %}

{#- The values of a text column joined by `delimiter` in sorted order (dbt-spark's listagg takes
    no order). -#}
{% macro sorted_text_list(column, delimiter) -%}
    {{ return(adapter.dispatch('sorted_text_list')(column, delimiter)) }}
{%- endmacro %}

{% macro default__sorted_text_list(column, delimiter) -%}
    {{ dbt.listagg(column, "'" ~ delimiter ~ "'", 'order by ' ~ column) }}
{%- endmacro %}

{% macro spark__sorted_text_list(column, delimiter) -%}
    array_join(array_sort(collect_list({{ column }})), '{{ delimiter }}')
{%- endmacro %}
