-- Every lifetime value model fitted so far (appended): the rows of clv_model of each build that
-- fitted them, so that a store's parameters can be followed from one refit to the next.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}

with

current_models as (

    select * from {{ ref('clv_model') }}

),

final as (

    select
        store,
        fit_window,
        fit_end,
        model,
        r,
        alpha,
        a,
        b,
        p,
        q,
        gamma,
        log_likelihood,
        n_customers,
        converged,
        is_served,
        churn_days,
        horizon_days,
        annual_discount_rate,
        model_run_id
    from current_models

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
