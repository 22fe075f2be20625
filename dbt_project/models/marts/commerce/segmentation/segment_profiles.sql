-- One row per store and customer segment: size, shares of customers and revenue, mean and median R/F/M,
-- the label and the marketing suggestion of seed segment_playbook. Money is summed as exact
-- decimals (monetary has at most 6 decimal places), so totals never depend on summation order.

with

segments as (

    select
        *,
        cast(monetary as decimal(38, 6)) as exact_monetary
    from {{ ref('customer_segments') }}

),

model as (

    select distinct
        store,
        segment_id,
        segment_label,
        dominant_rfm_segment,
        segment_position
    from {{ ref('segment_model') }}

),

playbook as (

    select * from {{ ref('segment_playbook') }}

),

totals as (

    select
        store,
        count(*) as total_customers,
        sum(exact_monetary) as total_revenue
    from segments
    group by store

),

per_segment as (

    select
        store,
        segment_id,
        count(*) as customers,
        sum(exact_monetary) as revenue,
        avg(recency_days) as mean_recency_days,
        percentile_cont(0.5) within group (order by recency_days) as median_recency_days,
        avg(frequency) as mean_frequency,
        percentile_cont(0.5) within group (order by frequency) as median_frequency,
        -- doubles before dividing: Spark rounds a decimal quotient to 6 places
        cast(sum(exact_monetary) as double) / count(*) as mean_monetary,
        percentile_cont(0.5) within group (order by monetary) as median_monetary,
        min(model_run_id) as model_run_id
    from segments
    group by store, segment_id

),

final as (

    select
        per_segment.store,
        cast(per_segment.segment_id as integer) as segment_id,
        model.segment_label,
        model.dominant_rfm_segment,
        model.segment_position,
        cast(per_segment.customers as integer) as customers,
        cast(per_segment.customers as double) / totals.total_customers as share_of_customers,
        cast(per_segment.revenue as double) as revenue,
        cast(per_segment.revenue as double) / cast(totals.total_revenue as double) as share_of_revenue,
        cast(per_segment.mean_recency_days as double) as mean_recency_days,
        cast(per_segment.median_recency_days as double) as median_recency_days,
        cast(per_segment.mean_frequency as double) as mean_frequency,
        cast(per_segment.median_frequency as double) as median_frequency,
        cast(per_segment.mean_monetary as double) as mean_monetary,
        cast(per_segment.median_monetary as double) as median_monetary,
        playbook.suggested_action,
        playbook.suggestion,
        per_segment.model_run_id
    from per_segment
    inner join totals
        on per_segment.store = totals.store
    inner join model
        on
            per_segment.store = model.store
            and per_segment.segment_id = model.segment_id
    left join playbook
        on model.dominant_rfm_segment = playbook.rfm_segment

)

select * from final
