{#-
    Store a DuckDB macro in the warehouse so analysts can score any rows in plain SQL:

        select marts.rfm_segment_id(recency_days, frequency, monetary) from my_rows
        select marts.rfm_segment_id(recency_days, frequency, monetary, store := '<store>') ...

    It is macro score_segments (the one SQL scoring) over a single row, so it gives what
    marts.score_rfm and the API give. `store` may be left out while the warehouse has one store;
    with several it must be named. Null outside the model's domain (recency < 0, frequency < 1,
    monetary <= 0, or a null input). It reads marts.segment_model when called, so it always scores
    with the published model. A DuckDB warehouse only: Spark has SQL functions of its own kind
    (marts.score_rfm is there on both).
-#}
{% macro create_rfm_segment_id_macro() -%}
{%- if target.type == 'duckdb' -%}
{%- set one_row -%}
(select
    {#- a case, not coalesce: the error must not be evaluated when a store is given #}
    case
        when store is not null then store
        when (select count(distinct stored.store) from {{ this.schema }}.segment_model as stored) = 1
            then (select min(stored.store) from {{ this.schema }}.segment_model as stored)
        else error('rfm_segment_id: this warehouse has several stores; pass store := ''<store>''')
    end as scoring_store,
    1 as scoring_id,
    recency as scoring_recency,
    frequency as scoring_frequency,
    monetary as scoring_monetary)
{%- endset -%}
create or replace macro {{ this.schema }}.rfm_segment_id(recency, frequency, monetary, store := null) as (
    (select segment_id from (
        {#- columns named apart from the macro's parameters, which DuckDB substitutes by name #}
        {{ score_segments(one_row, id_column='scoring_id', recency_column='scoring_recency',
            frequency_column='scoring_frequency', monetary_column='scoring_monetary',
            store_column='scoring_store', model_relation=this.schema ~ '.segment_model') }}
    ) as scored)
)
{%- endif -%}
{%- endmacro %}
