{#-
    Store a DuckDB macro in the warehouse so analysts can score any rows in plain SQL:

        select marts.rfm_segment_id(recency_days, frequency, monetary) from my_rows

    Same rule and arithmetic as macro score_segments and the API: ln(1 + x), standardise with the
    stored mean and scale, nearest centroid (squared Euclidean), ties to the lower segment id.
    Null outside the model's domain (recency < 0, frequency < 1, monetary <= 0, or a null input).
    It reads marts.segment_model when called, so it always scores with the published model.
-#}
{% macro create_rfm_segment_id_macro() -%}
create or replace macro {{ this.schema }}.rfm_segment_id(recency, frequency, monetary) as (
    case when recency >= 0 and frequency >= 1 and monetary > 0 then (
        select segment_id
        from (
            select
                segment_id,
                sum((standardised - centroid_scaled) * (standardised - centroid_scaled)) as squared_distance
            from (
                select
                    segment_id,
                    centroid_scaled,
                    (ln(1 + case feature
                                when 'recency_days' then cast(recency as double)
                                when 'frequency' then cast(frequency as double)
                                else cast(monetary as double)
                            end) - scaler_mean) / scaler_scale as standardised
                from {{ this.schema }}.segment_model
            ) as standardised_features
            group by segment_id
        ) as distances
        order by squared_distance, segment_id
        limit 1
    ) end
)
{%- endmacro %}
