-- The fitted segmentation of int_segment_model (Python), per store, published with typed columns.

with

model as (

    select * from {{ ref('int_segment_model') }}

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(segment_id as integer) as segment_id,
        cast(segment_label as {{ dbt.type_string() }}) as segment_label,
        cast(dominant_rfm_segment as {{ dbt.type_string() }}) as dominant_rfm_segment,
        cast(segment_position as {{ dbt.type_string() }}) as segment_position,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(feature_order as integer) as feature_order,
        cast(transform as {{ dbt.type_string() }}) as transform,
        cast(scaler_mean as double) as scaler_mean,
        cast(scaler_scale as double) as scaler_scale,
        cast(centroid_scaled as double) as centroid_scaled,
        cast(centroid_value as double) as centroid_value,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from model

)

select * from final
