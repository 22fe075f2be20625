{#-
  On Spark the raw files are not read by Spark: scripts/spark_build.py reads them once with
  DuckDB's reader (the same fixed dialect, layouts, encodings and rejects as a DuckDB build) and
  writes the reader's output as Parquet, each line with its number in the file (what each store's
  adapter lists in spark_ingested, scripts/stores/). The Spark build's ingestion models
  read these files; everything after them is the same SQL on both engines.
  SPARK_INGEST_DIR is the folder (an absolute path or URI the Spark driver and executors can read).
-#}
{% macro spark_ingested(name) -%}
    parquet.`{{ env_var('SPARK_INGEST_DIR', '../spark-warehouse/ingest') | replace('`', '``') }}/{{ name }}.parquet`
{%- endmacro %}

{#- Spark's default tables (Parquet) allow no delete, which the incremental models rely on: on
    Spark they are rebuilt whole at every build (docs/spark.md: a Delta or Iceberg catalog for an
    incremental load). Called in config(), where target is known at parse time. -#}
{% macro incremental_unless_spark() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}

{#- Register the results of the Python models a Spark build ran outside dbt
    (scripts/spark_python_models.py): each [schema, name, folder] becomes a Parquet table of
    that name over the folder, so the SQL models' ref() reads it as on DuckDB.
    dbt run-operation register_parquet_tables --args '{tables: [[schema, name, folder], ...]}' -#}
{% macro register_parquet_tables(tables) -%}
    {%- for schema, name, folder in tables -%}
        {%- set relation = schema ~ '.' ~ adapter.quote(name) -%}
        {%- do run_query('create database if not exists ' ~ schema) -%}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- do run_query('create table ' ~ relation ~ " using parquet location '"
            ~ folder.replace('\\', '\\\\').replace("'", "\\'") ~ "'") -%}
    {%- endfor -%}
{%- endmacro %}
