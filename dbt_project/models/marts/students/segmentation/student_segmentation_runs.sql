-- One row per build that segmented the students (appended, never rewritten): chosen k and why,
-- the LTV tree's held-out scores, components for 90% of the variance, library versions.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

with

run as (

    select * from {{ ref('int_student_segmentation_run') }}

),

chosen as (

    select * from {{ ref('student_k_selection') }}
    where is_chosen

),

tree as (

    select
        max(test_accuracy) as tree_test_accuracy,
        max(test_balanced_accuracy) as tree_test_balanced_accuracy,
        max(train_students) as tree_train_students,
        max(test_students) as tree_test_students
    from {{ ref('student_ltv_tree_rules') }}

),

variance as (

    select min(component) as components_for_90_percent
    from {{ ref('student_pca_variance') }}
    where first_to_reach_90_percent

),

segmented as (

    select count(*) as n_students from {{ ref('student_segments') }}

),

input_rows as (

    select count(*) as input_row_count from {{ ref('fct_students_cohort') }}

),

environment as (

    select * from {{ ref('int_segmentation_environment') }}

),

final as (

    select
        run.model_run_id,
        run.run_started_at,
        cast({{ var('cohort_year') }} as integer) as cohort_year,
        cast(chosen.k as integer) as k,
        run.forced_k is not null as k_forced,
        chosen.choice_reason as k_choice_reason,
        cast(chosen.silhouette as double) as silhouette,
        cast(segmented.n_students as integer) as n_students,
        cast(input_rows.input_row_count as integer) as input_row_count,
        cast(tree.tree_test_accuracy as double) as tree_test_accuracy,
        cast(tree.tree_test_balanced_accuracy as double) as tree_test_balanced_accuracy,
        cast(tree.tree_train_students as integer) as tree_train_students,
        cast(tree.tree_test_students as integer) as tree_test_students,
        cast(variance.components_for_90_percent as integer) as components_for_90_percent,
        environment.python_version,
        environment.numpy_version,
        environment.pandas_version,
        environment.scikit_learn_version,
        environment.kneed_version,
        environment.duckdb_version,
        environment.dbt_core_version,
        environment.dbt_duckdb_version
    from run
    cross join chosen
    cross join tree
    cross join variance
    cross join segmented
    cross join input_rows
    cross join environment

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
