{#-
  State a model carries from build to build (customer_segment_status: a fold over the builds).
  On DuckDB the model is incremental and reads its own rows (incremental_previous). On Spark it is
  a full table, which dbt-spark drops before rebuilding it, so the model's pre-hook
  (carry_spark_state) first copies the table to <name>__carried, the model reads that copy, and
  its post-hook (drop_spark_carried_state) drops it once the new table stands. A Spark build
  that fails between the drop and the new table leaves the copy, which the next build reads.
  A full refresh starts from no rows on both engines. (A unit test sets is_incremental and gives
  the model's own rows as `this`, on both engines.)
-#}
{% macro previous_state(columns, where='true') -%}
    {%- if target.type != 'spark' or is_incremental() -%}
    {{ incremental_previous(columns, where) }}
    {%- elif execute and not should_full_refresh()
        and (load_relation(this) is not none or load_relation(carried_state_relation()) is not none) -%}
    {{ typed_select(columns, carried_state_relation(), where) }}
    {%- else -%}
    {{ typed_select(columns, none) }}
    {%- endif -%}
{%- endmacro %}

{% macro carried_state_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__carried'})) }}
{%- endmacro %}

{#- Pre-hook: on Spark, the model's table copied aside before dbt-spark drops it. Runs its
    statements itself and renders nothing (an empty hook is skipped). -#}
{% macro carry_spark_state() -%}
    {%- if execute and target.type == 'spark' -%}
        {%- set carried = carried_state_relation() -%}
        {%- if should_full_refresh() -%}
            {%- do run_query('drop table if exists ' ~ carried) -%}
        {%- elif load_relation(this) is not none -%}
            {%- do run_query('drop table if exists ' ~ carried) -%}
            {%- do run_query('create table ' ~ carried ~ ' using parquet as select * from ' ~ this) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: the copy is no longer needed once the model's new table is written. -#}
{% macro drop_spark_carried_state() -%}
    {%- if execute and target.type == 'spark' -%}
        {%- do run_query('drop table if exists ' ~ carried_state_relation()) -%}
    {%- endif -%}
{%- endmacro %}
