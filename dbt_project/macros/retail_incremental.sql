{#-
  Pre-hook of int_invoice_line_groups. An incremental load reads only the lines after the last
  one loaded, which is right only if the file is the one loaded before with lines appended, and
  if the groups already loaded were made by the same rules. Every loaded group is deleted when
  the line at the stored watermark is no longer there, identical, or when the stored load
  fingerprint differs (the model, a macro it calls or the service-code seed was edited); the
  model, finding no watermark, then loads the whole file again. Either way the marts equal those
  of a full build.
-#}
{% macro retail_forget_unless_appended() -%}
    {%- if is_incremental() -%}
    {%- set has_fingerprint = adapter.get_columns_in_relation(this)
        | selectattr('name', 'equalto', 'load_fingerprint') | list | length > 0 -%}
    delete from {{ this }}
    where {% if has_fingerprint -%}
        exists (
            select 1 from {{ this }}
            where load_fingerprint is null or load_fingerprint <> {{ retail_load_fingerprint() }}
        )
    {%- else -%}
        true  -- loaded before fingerprints were stored
    {%- endif %}
    or not exists (
        select 1
        from {{ ref('stg_online_retail__raw_lines') }} as source_lines
        where source_lines.line_number = (select max(last_line_number) from {{ this }})
            and source_lines.line_hash = (
                select {{ value_at_max("last_line_hash", "last_line_number") }} from {{ this }}
            )
    )
    {%- endif -%}
{%- endmacro %}

{#-
  What decides how a line is grouped and classified at load time, as one value stored with every
  group: the model's code, the code of every project macro it calls (project_code_texts) and the
  service-code seed, and the order the file's dates are read in.
-#}
{% macro retail_load_fingerprint() -%}
    md5('{{ local_md5(project_code_texts(model) | join('\n')) }}{{ retail_date_order() }}' || coalesce((
        select {{ sorted_text_list('stock_code', '|') }}
        from {{ ref('retail_service_stock_codes') }}
    ), ''))
{%- endmacro %}

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
