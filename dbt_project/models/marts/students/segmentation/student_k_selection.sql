-- The student k-selection table of int_student_k_selection (Python), published with typed columns.

with

source as (

    select * from {{ ref('int_student_k_selection') }}

),

final as (

    select
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
        cast(n_students as integer) as n_students,
        cast(random_state as integer) as random_state,
        cast(n_init as integer) as n_init,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from source

)

select * from final
