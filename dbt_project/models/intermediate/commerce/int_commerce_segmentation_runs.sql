-- One row per store describing this dbt invocation's customer segmentation run: its id, start
-- time, the store's as-of date, the forced k (var `segment_k`; null = choose k from the data) and
-- the lifecycle settings that decide whether the stored segment model is refitted (vars in
-- dbt_project.yml; a full refresh refits, as it starts the model store afresh).

{%- set refit_requested = (var('segment_refit') | string | lower) in ['true', '1', 'yes'] or flags.FULL_REFRESH %}

with

as_of as (

    select
        store,
        as_of_date
    from {{ ref('int_store_as_of_dates') }}

),

final as (

    select
        as_of.store,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as model_run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as run_started_at,
        as_of.as_of_date,
        cast({{ var('segment_k') if var('segment_k', none) is not none else 'null' }} as integer) as forced_k,
        {{ 'true' if refit_requested else 'false' }} as refit_requested,
        cast({{ var('segment_model_max_age_days') | int }} as integer) as max_model_age_days,
        cast({{ var('segment_drift_max_psi') | float }} as double) as max_feature_psi,
        cast({{ var('segment_drift_max_far_share') | float }} as double) as max_far_share,
        cast({{ var('segment_match_max_distance') | float }} as double) as match_max_distance
    from as_of

)

select * from final
