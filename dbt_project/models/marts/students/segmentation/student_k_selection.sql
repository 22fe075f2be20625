-- The student k-selection table of int_student_k_selection (Python), published with typed columns.

with

source as (

    select * from {{ ref('int_student_k_selection') }}

),

final as (

    select
        {{ k_selection_columns([
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
            'n_students',
            'random_state',
            'n_init',
            'model_run_id',
        ]) }}
    from source

)

select * from final
