-- The candidate k of every segment model fitted (appended at each refit, never rewritten): one
-- row per store, fitting run and k. marts.segment_k_selection is the current model's.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}

with

fits as (

    select * from {{ ref('int_segment_fits') }}
    where row_kind = 'k_selection'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(k as integer) as k,
        cast(inertia as double) as inertia,
        cast(silhouette as double) as silhouette,
        cast(calinski_harabasz as double) as calinski_harabasz,
        cast(davies_bouldin as double) as davies_bouldin,
        cast(silhouette_sample_size as integer) as silhouette_sample_size,
        cast(fit_sample_size as integer) as fit_sample_size,
        cast(is_chosen as boolean) as is_chosen,
        cast(is_elbow as boolean) as is_elbow,
        cast(choice_reason as {{ dbt.type_string() }}) as choice_reason,
        cast(n_customers as integer) as n_customers,
        cast(random_state as integer) as random_state,
        cast(n_init as integer) as n_init,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from fits

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
