-- Explained variance per component of int_student_pca_variance (Python), published with typed columns.

with

source as (

    select * from {{ ref('int_student_pca_variance') }}

),

final as (

    select
        cast(component as integer) as component,
        cast(explained_variance as double) as explained_variance,
        cast(explained_variance_ratio as double) as explained_variance_ratio,
        cast(cumulative_explained_variance_ratio as double) as cumulative_explained_variance_ratio,
        cast(first_to_reach_90_percent as boolean) as first_to_reach_90_percent,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from source

)

select * from final
