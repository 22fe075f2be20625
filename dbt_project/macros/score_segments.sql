{#-
    The one SQL scoring of customers against the stored segment model (marts.segment_model), per
    store: z = (ln(1 + x) - scaler_mean) / scaler_scale per feature, then the segment whose
    centroid is nearest in squared Euclidean distance (ties: the lower segment_id); the same rule
    as models_py.segment_model.SegmentModel.assign. Rows outside the model's domain (recency < 0,
    frequency < 1, monetary <= 0 or any null) get no row.

        select * from ({{ score_segments(ref('fct_customer_rfm')) }}) as scored

    `relation` needs the store column (or `store_column` may be a quoted literal such as
    "'my_store'"). Returns: store, <id_column>, segment_id, segment_label, squared_distance.
    marts.score_rfm is this over fct_customer_rfm; the stored DuckDB macro marts.rfm_segment_id
    is this over one row (macros/create_rfm_segment_id_macro.sql).
-#}
{% macro score_segments(
    relation,
    id_column='customer_id',
    recency_column='recency_days',
    frequency_column='frequency',
    monetary_column='monetary',
    store_column='store',
    model_relation=none
) -%}
{%- set model_relation = model_relation if model_relation is not none else ref('segment_model') -%}
with

scoring_input as (

    select
        {{ store_column }} as scored_store,
        {{ id_column }} as scored_id,
        cast({{ recency_column }} as double) as recency_days,
        cast({{ frequency_column }} as double) as frequency,
        cast({{ monetary_column }} as double) as monetary
    from {{ relation }}
    where {{ recency_column }} >= 0 and {{ frequency_column }} >= 1 and {{ monetary_column }} > 0

),

long_input as (

    select scored_store, scored_id, 'recency_days' as feature, recency_days as feature_value from scoring_input
    union all
    select scored_store, scored_id, 'frequency' as feature, frequency as feature_value from scoring_input
    union all
    select scored_store, scored_id, 'monetary' as feature, monetary as feature_value from scoring_input

),

distances as (

    select
        long_input.scored_store,
        long_input.scored_id,
        segment_model.segment_id,
        segment_model.segment_label,
        sum(
            ((ln(1 + long_input.feature_value) - segment_model.scaler_mean) / segment_model.scaler_scale
                - segment_model.centroid_scaled)
            * ((ln(1 + long_input.feature_value) - segment_model.scaler_mean) / segment_model.scaler_scale
                - segment_model.centroid_scaled)
        ) as squared_distance
    from long_input
    inner join {{ model_relation }} as segment_model
        on long_input.scored_store = segment_model.store
        and long_input.feature = segment_model.feature
    group by
        long_input.scored_store, long_input.scored_id, segment_model.segment_id,
        segment_model.segment_label

),

ranked as (

    select
        scored_store,
        scored_id,
        segment_id,
        segment_label,
        squared_distance,
        row_number() over (
            partition by scored_store, scored_id order by squared_distance, segment_id
        ) as distance_rank
    from distances

)

select
    scored_store as store,
    scored_id as {{ id_column }},
    segment_id,
    segment_label,
    squared_distance
from ranked
where distance_rank = 1
{%- endmacro %}
