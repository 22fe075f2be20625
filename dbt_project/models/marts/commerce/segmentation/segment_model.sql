-- Each store's current segment model: the version in marts.segment_model_versions this build
-- scores with (fitted by this build when it refitted, else the latest stored one).

with

versions as (

    select * from {{ ref('segment_model_versions') }}

),

current_models as (

    select
        store,
        segment_model_run_id
    from {{ ref('int_segment_refit_decisions') }}

),

final as (

    select
        versions.store,
        versions.segment_id,
        versions.segment_label,
        versions.dominant_rfm_segment,
        versions.segment_position,
        versions.feature,
        versions.feature_order,
        versions.transform,
        versions.scaler_mean,
        versions.scaler_scale,
        versions.centroid_scaled,
        versions.centroid_value,
        versions.model_run_id,
        versions.fitted_at,
        versions.fit_as_of_date,
        versions.far_distance
    from versions
    inner join current_models
        on
            versions.store = current_models.store
            and versions.model_run_id = current_models.segment_model_run_id

)

select * from final
