{#- The known variants of a source table's column names (seed column_aliases): {column_name:
    [alias, ...]}. Read from the seed's file when a model is compiled, so that a build, a
    compile or an ingestion that has not loaded the seed yet reads the same variants. On Spark the
    raw files were read at ingestion (by DuckDB, under the declared names): no variants apply. -#}
{% macro input_column_aliases(source_name, table) -%}
    {%- if not execute or target.type == 'spark' -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set seed = graph.nodes['seed.' ~ project_name ~ '.column_aliases'] -%}
    {%- set rows = run_query(
        'select column_name, alias from read_csv(' ~ sql_string(seed.root_path ~ '/' ~ seed.original_file_path)
        ~ ', header = true, all_varchar = true) where source = ' ~ sql_string(source_name)
        ~ ' and source_table = ' ~ sql_string(table) ~ ' order by all').rows -%}
    {%- set aliases = {} -%}
    {%- for column_name, alias in rows -%}
        {%- do aliases.setdefault(column_name, []).append(alias) -%}
    {%- endfor -%}
    {{ return(aliases) }}
{%- endmacro %}
