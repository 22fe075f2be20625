-- The candidate k of each store's current segment model (marts.segment_model): the selection of
-- the build that fitted it, which may be an earlier one (segment_k_selection_versions).

with

selection as (

    select * from {{ ref('segment_k_selection_versions') }}

),

current_models as (

    select
        store,
        segment_model_run_id
    from {{ ref('int_segment_refit_decisions') }}

),

final as (

    select
        selection.store,
        selection.k,
        selection.inertia,
        selection.silhouette,
        selection.calinski_harabasz,
        selection.davies_bouldin,
        selection.silhouette_sample_size,
        selection.fit_sample_size,
        selection.is_chosen,
        selection.is_elbow,
        selection.choice_reason,
        selection.n_customers,
        selection.random_state,
        selection.n_init,
        selection.model_run_id
    from selection
    inner join current_models
        on
            selection.store = current_models.store
            and selection.model_run_id = current_models.segment_model_run_id

)

select * from final
