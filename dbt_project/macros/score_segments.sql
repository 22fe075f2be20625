{#-
    Score any relation with (recency, frequency, monetary) against marts.segment_model, in SQL:
    z = (ln(1 + x) - scaler_mean) / scaler_scale per feature, then the segment whose centroid is
    nearest in squared Euclidean distance (ties: the lower segment_id). Rows outside the model's
    domain (recency < 0, frequency < 1, monetary <= 0 or any null) get no row.

        select * from ({{ score_segments(ref('fct_customer_rfm')) }}) as scored

    Returns: <id_column>, segment_id, segment_label, squared_distance.
-#}
{% macro score_segments(
    relation,
    id_column='customer_id',
    recency_column='recency_days',
    frequency_column='frequency',
    monetary_column='monetary',
    model_relation=none
) -%}
{%- set model_relation = model_relation if model_relation is not none else ref('segment_model') -%}
with

scoring_input as (

    select
        {{ id_column }} as scored_id,
        cast({{ recency_column }} as double) as recency_days,
        cast({{ frequency_column }} as double) as frequency,
        cast({{ monetary_column }} as double) as monetary
    from {{ relation }}
    where {{ recency_column }} >= 0 and {{ frequency_column }} >= 1 and {{ monetary_column }} > 0

),

long_input as (

    select scored_id, 'recency_days' as feature, recency_days as feature_value from scoring_input
    union all
    select scored_id, 'frequency' as feature, frequency as feature_value from scoring_input
    union all
    select scored_id, 'monetary' as feature, monetary as feature_value from scoring_input

),

distances as (

    select
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
        on long_input.feature = segment_model.feature
    group by long_input.scored_id, segment_model.segment_id, segment_model.segment_label

),

ranked as (

    select
        scored_id,
        segment_id,
        segment_label,
        squared_distance,
        row_number() over (partition by scored_id order by squared_distance, segment_id) as distance_rank
    from distances

)

select
    scored_id as {{ id_column }},
    segment_id,
    segment_label,
    squared_distance
from ranked
where distance_rank = 1
{%- endmacro %}
