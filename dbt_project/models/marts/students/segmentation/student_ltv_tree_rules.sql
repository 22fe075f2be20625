-- LTV tree rules of int_student_ltv_tree_rules (Python), published with typed columns.

with

source as (

    select * from {{ ref('int_student_ltv_tree_rules') }}

),

final as (

    select
        cast(rule_id as integer) as rule_id,
        cast(rule as {{ dbt.type_string() }}) as rule,
        cast(conditions as {{ dbt.type_string() }}) as conditions,
        cast(predicted_ltv_class as {{ dbt.type_string() }}) as predicted_ltv_class,
        cast(students as integer) as students,
        cast(share_high_ltv as double) as share_high_ltv,
        cast(test_accuracy as double) as test_accuracy,
        cast(test_balanced_accuracy as double) as test_balanced_accuracy,
        cast(train_students as integer) as train_students,
        cast(test_students as integer) as test_students,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from source

)

select * from final
