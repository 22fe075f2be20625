-- Every segment model fitted (appended at each refit, never rewritten): the model store. One row
-- per store, fitting run, segment and feature, as marts.segment_model, with the fit's as-of date,
-- settings and the distance that counts as far from every segment. A build that does not refit
-- scores with the store's latest version (marts.segment_model).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}

with

fits as (

    select * from {{ ref('int_segment_fits') }}
    where row_kind = 'model'

),

runs as (

    select
        store,
        model_run_id,
        run_started_at
    from {{ ref('int_commerce_segmentation_runs') }}

),

final as (

    select
        cast(fits.store as {{ dbt.type_string() }}) as store,
        cast(fits.segment_id as integer) as segment_id,
        cast(fits.segment_label as {{ dbt.type_string() }}) as segment_label,
        cast(fits.dominant_rfm_segment as {{ dbt.type_string() }}) as dominant_rfm_segment,
        cast(fits.segment_position as {{ dbt.type_string() }}) as segment_position,
        cast(fits.feature as {{ dbt.type_string() }}) as feature,
        cast(fits.feature_order as integer) as feature_order,
        cast(fits.transform as {{ dbt.type_string() }}) as transform,
        cast(fits.scaler_mean as double) as scaler_mean,
        cast(fits.scaler_scale as double) as scaler_scale,
        cast(fits.centroid_scaled as double) as centroid_scaled,
        cast(fits.centroid_value as double) as centroid_value,
        cast(fits.model_run_id as {{ dbt.type_string() }}) as model_run_id,
        runs.run_started_at as fitted_at,
        cast(fits.fit_as_of_date as date) as fit_as_of_date,
        cast(fits.forced_k as integer) as forced_k,
        cast(fits.far_distance as double) as far_distance,
        cast(fits.refit_reason as {{ dbt.type_string() }}) as refit_reason
    from fits
    inner join runs
        on
            fits.store = runs.store
            and fits.model_run_id = runs.model_run_id

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
