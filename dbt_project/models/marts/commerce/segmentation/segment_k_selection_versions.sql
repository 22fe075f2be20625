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
        {{ k_selection_columns([
            'store',
            'k',
            'inertia',
            'silhouette',
            'calinski_harabasz',
            'davies_bouldin',
            'silhouette_sample_size',
            'fit_sample_size',
            'is_chosen',
            'is_elbow',
            'choice_reason',
            'n_customers',
            'random_state',
            'n_init',
            'model_run_id',
        ]) }}
    from fits

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
