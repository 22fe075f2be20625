-- The holdout evidence of the stored lifetime value models (marts.clv_holdout_evaluation and
-- clv_holdout_buckets as they were when the build started, one long table), published again
-- with them when a build scores with them. Read by name: both are built later in the run.
with

evaluation as (

    {{ previous_rows('clv_holdout_evaluation', [
        ['store', dbt.type_string()],
        ['purchase_model', dbt.type_string()],
        ['calibration_end', 'date'],
        ['holdout_days', 'integer'],
        ['n_customers', 'integer'],
        ['actual_purchases', 'double'],
        ['predicted_purchases', 'double'],
        ['purchases_mae', 'double'],
        ['purchases_rank_correlation', 'double'],
        ['actual_spend', 'double'],
        ['predicted_spend', 'double'],
        ['spend_mae', 'double'],
        ['churn_auc', 'double'],
        ['recency_churn_auc', 'double'],
        ['is_served', 'boolean'],
        ['served_reason', dbt.type_string()],
        ['model_run_id', dbt.type_string()],
    ]) }}

),

buckets as (

    {{ previous_rows('clv_holdout_buckets', [
        ['store', dbt.type_string()],
        ['purchase_model', dbt.type_string()],
        ['frequency_bucket', 'integer'],
        ['n_customers', 'integer'],
        ['actual_purchases', 'double'],
        ['predicted_purchases', 'double'],
        ['actual_spend', 'double'],
        ['predicted_spend', 'double'],
        ['model_run_id', dbt.type_string()],
    ]) }}

),

final as (

    select
        'evaluation' as row_kind,
        store,
        purchase_model,
        calibration_end,
        holdout_days,
        cast(null as integer) as frequency_bucket,
        n_customers,
        actual_purchases,
        predicted_purchases,
        purchases_mae,
        purchases_rank_correlation,
        actual_spend,
        predicted_spend,
        spend_mae,
        churn_auc,
        recency_churn_auc,
        is_served,
        served_reason,
        model_run_id
    from evaluation
    union all
    select
        'buckets' as row_kind,
        store,
        purchase_model,
        cast(null as date) as calibration_end,
        cast(null as integer) as holdout_days,
        frequency_bucket,
        n_customers,
        actual_purchases,
        predicted_purchases,
        cast(null as double) as purchases_mae,
        cast(null as double) as purchases_rank_correlation,
        actual_spend,
        predicted_spend,
        cast(null as double) as spend_mae,
        cast(null as double) as churn_auc,
        cast(null as double) as recency_churn_auc,
        cast(null as boolean) as is_served,
        cast(null as {{ dbt.type_string() }}) as served_reason,
        model_run_id
    from buckets

)

select * from final
