-- LTV tree importances of int_student_ltv_tree_importances (Python), published with typed columns.

with

source as (

    select * from {{ ref('int_student_ltv_tree_importances') }}

),

final as (

    select
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(variable as {{ dbt.type_string() }}) as variable,
        cast(importance as double) as importance,
        cast(importance_rank as integer) as importance_rank,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from source

)

select * from final
