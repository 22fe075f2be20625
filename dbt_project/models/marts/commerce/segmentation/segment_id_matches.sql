-- How each refit's segments took over the ids of the model before it (appended at each refit):
-- one row per store, refit and segment of the new model (previous_segment_id null: a new
-- segment, given an id never used before in the store) and per segment of the previous model no
-- new one continues (segment_id null: retired). Pairs are matched one to one at the least total
-- centroid distance and kept within var segment_match_max_distance (models_py/lifecycle.py).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}

with

fits as (

    select * from {{ ref('int_segment_fits') }}
    where row_kind = 'match'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id,
        cast(previous_model_run_id as {{ dbt.type_string() }}) as previous_model_run_id,
        cast(segment_id as integer) as segment_id,
        cast(segment_label as {{ dbt.type_string() }}) as segment_label,
        cast(previous_segment_id as integer) as previous_segment_id,
        cast(previous_segment_label as {{ dbt.type_string() }}) as previous_segment_label,
        cast(centroid_distance as double) as centroid_distance,
        segment_id is not null and previous_segment_id is not null as is_continued
    from fits

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
