-- Per store and customer segment: its customers' predicted lifetime value, total and share of
-- the store's, their mean churn risk and how many of them are at risk (customer_lifetime_value.is_at_risk,
-- var clv_at_risk_churn_risk), e.g. "Champions: 38 at risk holding 12% of next year's value".

with

segments as (

    select * from {{ ref('customer_segments') }}

),

values_ as (

    select * from {{ ref('customer_lifetime_value') }}

),

joined as (

    select
        segments.store,
        segments.segment_id,
        segments.segment_label,
        values_.churn_risk,
        values_.is_at_risk,
        values_.predicted_clv
    from segments
    inner join values_
        on
            segments.store = values_.store
            and segments.customer_id = values_.customer_id

),

per_segment as (

    select
        store,
        segment_id,
        segment_label,
        count(*) as n_customers,
        avg(churn_risk) as mean_churn_risk,
        sum(case when is_at_risk then 1 else 0 end) as n_at_risk,
        sum(case when is_at_risk then predicted_clv else 0 end) as at_risk_predicted_clv,
        sum(predicted_clv) as predicted_clv
    from joined
    group by store, segment_id, segment_label

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(segment_id as integer) as segment_id,
        cast(segment_label as {{ dbt.type_string() }}) as segment_label,
        cast(n_customers as integer) as n_customers,
        cast(mean_churn_risk as double) as mean_churn_risk,
        cast(n_at_risk as integer) as n_at_risk,
        cast(predicted_clv as double) as predicted_clv,
        cast(predicted_clv / nullif(sum(predicted_clv) over (partition by store), 0) as double)
            as predicted_clv_share,
        cast(at_risk_predicted_clv as double) as at_risk_predicted_clv,
        cast(at_risk_predicted_clv / nullif(sum(predicted_clv) over (partition by store), 0) as double)
            as at_risk_predicted_clv_share
    from per_segment

)

select * from final
