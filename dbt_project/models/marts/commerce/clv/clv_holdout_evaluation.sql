-- Per store and repeat-purchase candidate: how well it predicted the store's last
-- clv_holdout_days days from the days before (int_clv_fits), and which one the store serves.

with

evaluation as (

    select * from {{ ref('int_clv_fits') }}
    where row_kind = 'evaluation'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(model as {{ dbt.type_string() }}) as purchase_model,
        cast(calibration_end as date) as calibration_end,
        cast(holdout_days as integer) as holdout_days,
        cast(n_customers as integer) as n_customers,
        cast(actual_purchases as double) as actual_purchases,
        cast(predicted_purchases as double) as predicted_purchases,
        cast(purchases_mae as double) as purchases_mae,
        cast(purchases_rank_correlation as double) as purchases_rank_correlation,
        cast(actual_spend as double) as actual_spend,
        cast(predicted_spend as double) as predicted_spend,
        cast(spend_mae as double) as spend_mae,
        cast(churn_auc as double) as churn_auc,
        cast(recency_churn_auc as double) as recency_churn_auc,
        cast(is_served as boolean) as is_served,
        cast(served_reason as {{ dbt.type_string() }}) as served_reason,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from evaluation

)

select * from final
