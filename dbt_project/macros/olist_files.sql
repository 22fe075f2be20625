{#-
  Reading the Olist exports: each file through the same fixed-dialect CSV reader as every raw
  file (macros/csv_reader.sql), keeping only the columns the project reads (extra columns are
  ignored), numbered in file order. A required file or column that is missing stops the build with
  one line naming it and OLIST_DIR; an optional file that is missing reads as no rows.
-#}
{% macro olist_dir() -%}
    {{ return(var('olist_dir') or env_var('OLIST_DIR', 'sample_data/olist')) }}
{%- endmacro %}

{#- Whether the file of source table `table` is there (always true before execution). -#}
{% macro olist_file_exists(table) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set found = run_query('select count(*) from glob(' ~ source('olist', table) ~ ')') -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- The rows of one file: line_number and the named columns, all text. -#}
{% macro olist_rows(table, columns, required=true) -%}
    {%- set file = source('olist', table) -%}
    {%- if not required and not olist_file_exists(table) -%}
    (
        select
            cast(null as {{ dbt.type_bigint() }}) as line_number
            {%- for column in columns %},
            cast(null as {{ dbt.type_string() }}) as {{ column }}
            {%- endfor %}
        where false
    )
    {%- else -%}
        {%- if execute -%}
            {%- set present = csv_header_names(file, 'OLIST_DIR') -%}
            {%- for column in columns if column not in present -%}
                {{ exceptions.raise_compiler_error(file ~ ": missing column " ~ column
                    ~ " (found: " ~ (present | join(', ')) ~ ")") }}
            {%- endfor -%}
        {%- endif %}
    (
        select
            row_number() over () as line_number
            {%- for column in columns %},
            "{{ column }}" as {{ column }}
            {%- endfor %}
        from {{ read_csv_file(file, 'olist_' ~ table, 'OLIST_DIR') }}
    )
    {%- endif -%}
{%- endmacro %}
