{#-
  Reading the Olist exports: each file through the same fixed-dialect CSV reader as every raw
  file (macros/csv_reader.sql), keeping only the columns the project reads (extra columns are
  ignored), numbered in file order. A required file or column that is missing stops the build with
  one line naming it and OLIST_DIR; an optional file that is missing reads as no rows.
-#}
{% macro olist_dir() -%}
    {{ return(var('olist_dir') or env_var('OLIST_DIR', 'sample_data/olist')) }}
{%- endmacro %}

{#- The Olist source tables, in the order the per-file models list them (a static list: models
    loop over it while dbt parses them, before the sources are known; olist_columns() checks it
    against the sources at run time). -#}
{% macro olist_tables() -%}
    {{ return([
        'orders', 'customers', 'order_items', 'order_payments', 'products',
        'category_translation', 'order_reviews', 'sellers', 'geolocation',
    ]) }}
{%- endmacro %}

{#- A source table's declaration (staging/olist/_olist__sources.yml): meta.file, meta.required
    and its columns, each with meta.required. -#}
{% macro olist_source(table) -%}
    {%- set declared = graph.sources.values() | selectattr('source_name', 'equalto', 'olist') | map(attribute='name') | list -%}
    {%- if declared | sort != olist_tables() | sort -%}
        {{ exceptions.raise_compiler_error("macro olist_tables() lists " ~ (olist_tables() | sort | join(', '))
            ~ " but the olist sources are " ~ (declared | sort | join(', '))) }}
    {%- endif -%}
    {{ return(graph.sources['source.' ~ project_name ~ '.olist.' ~ table]) }}
{%- endmacro %}

{#- Whether the file of source table `table` must be there (the sources' meta.required). -#}
{% macro olist_file_required(table) -%}
    {{ return(olist_source(table).meta.get('required', true)) }}
{%- endmacro %}

{#- The columns the project reads from the file of source table `table`, as the sources declare
    them: [{'name', 'required', 'names'}], where names are the header names accepted for it (its
    own, then its known variants, seed column_aliases). -#}
{% macro olist_columns(table) -%}
    {%- set aliases = input_column_aliases('olist', table) -%}
    {%- set columns = [] -%}
    {%- for column in olist_source(table).columns.values() -%}
        {%- do columns.append({
            'name': column.name,
            'required': column.meta.get('required', true),
            'names': [column.name] + aliases.get(column.name, []),
        }) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The file dbt reads for source table `table`: exactly <file>.csv or <file>.csv.gz in the Olist
    folder, as a SQL string literal; none when neither is there. A name that only starts like
    one (<file>.csv.bak) is never read; both at once stop the build. -#}
{% macro olist_file(table) -%}
    {%- set location = source('olist', table) -%}
    {%- if not execute -%}
        {{ return(location) }}
    {%- endif -%}
    {%- set file_name = olist_source(table).meta.file -%}
    {%- set found = run_query('select file from glob(' ~ location ~ ') where parse_filename(file) in ('
        ~ sql_string(file_name ~ '.csv') ~ ', ' ~ sql_string(file_name ~ '.csv.gz') ~ ') order by file').columns[0].values() -%}
    {%- if found | length > 1 -%}
        {{ exceptions.raise_compiler_error(olist_dir() ~ ": both " ~ file_name ~ ".csv and " ~ file_name
            ~ ".csv.gz are there; keep one (set OLIST_DIR to the folder of the exports)") }}
    {%- endif -%}
    {{ return(sql_string(found[0]) if found else none) }}
{%- endmacro %}

{#- Whether the file of source table `table` is there (always true before execution). On Spark:
    whether ingestion wrote its rows (SPARK_OLIST_TABLES, set by scripts/spark_build.py). -#}
{% macro olist_file_exists(table) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- if target.type == 'spark' -%}
        {{ return(table in env_var('SPARK_OLIST_TABLES', '').split(',')) }}
    {%- endif -%}
    {{ return(olist_file(table) is not none) }}
{%- endmacro %}

{#- The rows of one file: line_number and the columns the project reads (olist_columns), all
    text; a header that names a column by a known variant is read under the declared name, an
    optional column the file lacks reads as null, and an optional file that is absent as no rows.
    On Spark, the rows DuckDB's reader returned at ingestion (export_olist_raw_rows). -#}
{% macro olist_rows(table) -%}
    {#- parse time: the dependencies only (the seed of column variants, the file's source) -#}
    {%- if not execute -%}
        {{ return('(select ' ~ ref('column_aliases') ~ ', ' ~ source('olist', table) ~ ')') }}
    {%- endif -%}
    {%- set columns = olist_columns(table) -%}
    {%- if not olist_file_exists(table) -%}
        {%- if olist_file_required(table) -%}
            {{ exceptions.raise_compiler_error(olist_dir() ~ "/" ~ olist_source(table).meta.file
                ~ ".csv: file does not exist (expected it as .csv or .csv.gz in OLIST_DIR)") }}
        {%- endif %}
    (
        select
            cast(null as {{ dbt.type_bigint() }}) as line_number
            {%- for column in columns %},
            cast(null as {{ dbt.type_string() }}) as {{ column.name }}
            {%- endfor %}
        where false
    )
    {%- elif target.type == 'spark' %}
    (
        select
            cast(line_number as {{ dbt.type_bigint() }}) as line_number
            {%- for column in columns %},
            cast({{ adapter.quote(column.name) }} as {{ dbt.type_string() }}) as {{ column.name }}
            {%- endfor %}
        from {{ spark_ingested('olist_' ~ table) }}
    )
    {%- else -%}
        {%- set file = olist_file(table) -%}
        {%- set present = csv_header_names(file, 'OLIST_DIR') %}
    (
        select
            row_number() over () as line_number
            {%- for column in columns -%}
                {%- set found = column.names | select('in', present) | list -%}
                {%- if not found and column.required -%}
                    {{ exceptions.raise_compiler_error(file ~ ": missing column " ~ (column.names | join(' or '))
                        ~ " (found: " ~ (present | join(', ')) ~ ")") }}
                {%- endif %},
            {{ adapter.quote(found[0]) if found else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as {{ column.name }}
            {%- endfor %}
        from {{ read_csv_file(file, 'olist_' ~ table, 'OLIST_DIR') }}
    )
    {%- endif -%}
{%- endmacro %}

{#- One row counting the lines of one Olist file apart from the load (csv_line_counts). On Spark,
    the raw rows DuckDB counted at ingestion (scripts/spark_build.py), as lines with no line
    break inside a record. -#}
{% macro olist_file_lines(table) -%}
    {%- if target.type == 'spark' -%}
    select
        n_raw_rows as n_file_lines,
        cast(0 as {{ dbt.type_bigint() }}) as n_line_breaks_in_records
    from {{ spark_ingested('olist_file_line_counts') }}
    where source_table = '{{ table }}'
    {%- else -%}
    {{ csv_line_counts(olist_file(table), 'olist_' ~ table ~ '_count', 'OLIST_DIR') }}
    {%- endif -%}
{%- endmacro %}

{#- For a Spark build (scripts/spark_build.py), on the scratch DuckDB file of the ingestion: the
    rows olist_rows reads from each Olist file there is, as Parquet files olist_<table>.parquet
    in `folder`, which the Spark build's olist_rows reads.
    dbt run-operation export_olist_raw_rows --args '{folder: ...}' -#}
{% macro export_olist_raw_rows(folder) -%}
    {%- for table in olist_tables() if olist_file_exists(table) -%}
        {%- set target_file = folder ~ '/olist_' ~ table ~ '.parquet' -%}
        {%- do run_query('copy (select * from ' ~ olist_rows(table) ~ ') to '
            ~ sql_string(target_file) ~ ' (format parquet)') -%}
    {%- endfor -%}
{%- endmacro %}

{#- A staging row's values as one text, to tell a repeated key's exact copy from a conflicting
    record (olist_file_reconciliation). -#}
{% macro olist_row_content(columns) -%}
    concat_ws(
        '|'
        {%- for column in columns %},
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '')
        {%- endfor %}
    )
{%- endmacro %}
