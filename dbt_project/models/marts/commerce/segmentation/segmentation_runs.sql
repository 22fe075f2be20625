-- One row per store and build that segmented its customers (appended, never rewritten): when, on
-- what, with which k and why, how good, and with which library versions.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ backfill_store_column() }}",
) }}

with

run as (

    select * from {{ ref('int_commerce_segmentation_runs') }}

),

chosen as (

    select * from {{ ref('segment_k_selection') }}
    where is_chosen

),

segmented as (

    select
        store,
        count(*) as n_customers
    from {{ ref('customer_segments') }}
    group by store

),

input_rows as (

    select
        store,
        count(*) as input_row_count
    from {{ ref('fct_customer_rfm') }}
    group by store

),

rules as (

    select
        store,
        max(tree_agreement) as rule_tree_agreement
    from {{ ref('segment_rules') }}
    group by store

),

environment as (

    select * from {{ ref('int_segmentation_environment') }}

),

final as (

    select
        run.store,
        run.model_run_id,
        run.run_started_at,
        run.as_of_date,
        cast(chosen.k as integer) as k,
        run.forced_k is not null as k_forced,
        chosen.choice_reason as k_choice_reason,
        cast(chosen.silhouette as double) as silhouette,
        cast(chosen.calinski_harabasz as double) as calinski_harabasz,
        cast(chosen.davies_bouldin as double) as davies_bouldin,
        cast(chosen.inertia as double) as inertia,
        cast(segmented.n_customers as integer) as n_customers,
        cast(input_rows.input_row_count as integer) as input_row_count,
        cast(rules.rule_tree_agreement as double) as rule_tree_agreement,
        cast(chosen.random_state as integer) as random_state,
        cast(chosen.n_init as integer) as n_init,
        cast(chosen.silhouette_sample_size as integer) as silhouette_sample_size,
        environment.python_version,
        environment.numpy_version,
        environment.pandas_version,
        environment.scikit_learn_version,
        environment.kneed_version,
        environment.duckdb_version,
        environment.dbt_core_version,
        environment.dbt_duckdb_version
    from run
    inner join chosen
        on run.store = chosen.store
    inner join segmented
        on run.store = segmented.store
    inner join input_rows
        on run.store = input_rows.store
    inner join rules
        on run.store = rules.store
    cross join environment

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
