-- Per store, the lifetime value models of the latest build: each candidate fitted on the days
-- before the holdout (fit_window calibration) and the served ones refitted on every day (full),
-- with their parameters, log-likelihood and the customers they saw (int_clv_fits).

with

fits as (

    select * from {{ ref('int_clv_fits') }}
    where row_kind = 'fits'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(fit_window as {{ dbt.type_string() }}) as fit_window,
        cast(fit_end as date) as fit_end,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(r as double) as r,
        cast(alpha as double) as alpha,
        cast(a as double) as a,
        cast(b as double) as b,
        cast(p as double) as p,
        cast(q as double) as q,
        cast(gamma as double) as gamma,
        cast(log_likelihood as double) as log_likelihood,
        cast(n_customers as integer) as n_customers,
        cast(converged as boolean) as converged,
        cast(is_served as boolean) as is_served,
        cast(churn_days as integer) as churn_days,
        cast(horizon_days as integer) as horizon_days,
        cast(annual_discount_rate as double) as annual_discount_rate,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from fits

)

select * from final
