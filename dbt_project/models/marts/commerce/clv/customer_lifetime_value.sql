-- Per store and customer with a purchase: x, t_x and T as the models define them, churn risk,
-- expected purchases, expected spend and predicted lifetime value from the store's served
-- model (int_clv_fits), with a value tier by rank within the store.

with

scores as (

    select * from {{ ref('int_clv_fits') }}
    where row_kind = 'customers'

),

ranked as (

    select
        *,
        percent_rank() over (partition by store order by predicted_clv desc, customer_id asc)
            as clv_rank_share
    from scores

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(customer_id as bigint) as customer_id,
        cast(repeat_purchase_days as integer) as repeat_purchase_days,
        cast(first_to_last_purchase_days as integer) as first_to_last_purchase_days,
        cast(first_purchase_to_end_days as integer) as first_purchase_to_end_days,
        cast(first_purchase_date as date) as first_purchase_date,
        cast(p_alive as double) as p_alive,
        cast(churn_risk as double) as churn_risk,
        churn_risk >= {{ var('clv_at_risk_churn_risk') }} as is_at_risk,
        cast(expected_purchases_30d as double) as expected_purchases_30d,
        cast(expected_purchases_90d as double) as expected_purchases_90d,
        cast(expected_purchases_365d as double) as expected_purchases_365d,
        cast(expected_spend_per_purchase as double) as expected_spend_per_purchase,
        cast(predicted_clv as double) as predicted_clv,
        cast(
            case
                when clv_rank_share < 0.05 then 'Top 5%'
                when clv_rank_share < 0.20 then 'High'
                when clv_rank_share < 0.50 then 'Medium'
                else 'Low'
            end as {{ dbt.type_string() }}
        ) as value_tier,
        cast(purchase_model as {{ dbt.type_string() }}) as purchase_model,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from ranked

)

select * from final
