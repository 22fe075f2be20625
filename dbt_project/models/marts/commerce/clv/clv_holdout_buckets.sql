-- The calibration-vs-holdout table of the lifetime value papers, per store and candidate: the
-- customers grouped by their repeat purchase days before the holdout (0 to 6, then 7 and more),
-- with the mean purchases and spend each group made in the holdout and the candidate predicted.

with

buckets as (

    select * from {{ ref('int_clv_fits') }}
    where row_kind = 'buckets'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(model as {{ dbt.type_string() }}) as purchase_model,
        cast(frequency_bucket as integer) as frequency_bucket,
        cast(n_customers as integer) as n_customers,
        cast(actual_purchases as double) as actual_purchases,
        cast(predicted_purchases as double) as predicted_purchases,
        cast(actual_spend as double) as actual_spend,
        cast(predicted_spend as double) as predicted_spend,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from buckets

)

select * from final
