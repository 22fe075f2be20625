-- One row per store and build that segmented its customers (appended, never rewritten): when, on
-- what, whether it refitted the segment model and why, the model it scored with (its k and why,
-- how good, its age and the drift since its fit), and with which library versions. Columns added
-- since a warehouse was published are appended to its table (null on the earlier runs).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
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

decisions as (

    select * from {{ ref('int_segment_refit_decisions') }}

),

models as (

    select distinct
        store,
        model_run_id,
        fit_as_of_date,
        forced_k
    from {{ ref('segment_model_versions') }}

),

final as (

    select
        run.store,
        run.model_run_id,
        run.run_started_at,
        run.as_of_date,
        cast(chosen.k as integer) as k,
        models.forced_k is not null as k_forced,
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
        environment.dbt_duckdb_version,
        decisions.is_refit,
        cast(decisions.refit_reason as {{ dbt.type_string() }}) as refit_reason,
        cast(decisions.decision_detail as {{ dbt.type_string() }}) as refit_decision,
        cast(decisions.segment_model_run_id as {{ dbt.type_string() }}) as segment_model_run_id,
        models.fit_as_of_date as model_fit_as_of_date,
        cast({{ dbt.datediff('models.fit_as_of_date', 'run.as_of_date', 'day') }} as integer) as model_age_days, -- noqa: LT05
        cast(decisions.stored_model_run_id as {{ dbt.type_string() }}) as stored_model_run_id,
        cast(decisions.psi_recency_days as double) as psi_recency_days,
        cast(decisions.psi_frequency as double) as psi_frequency,
        cast(decisions.psi_monetary as double) as psi_monetary,
        cast(decisions.far_share as double) as far_share
    from run
    inner join chosen
        on run.store = chosen.store
    inner join segmented
        on run.store = segmented.store
    inner join input_rows
        on run.store = input_rows.store
    inner join rules
        on run.store = rules.store
    inner join decisions
        on run.store = decisions.store
    inner join models
        on
            decisions.store = models.store
            and decisions.segment_model_run_id = models.model_run_id
    cross join environment

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
