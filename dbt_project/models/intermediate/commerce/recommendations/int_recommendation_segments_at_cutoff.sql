-- Each customer's segment as it was at their store's evaluation cutoff: recency, frequency and
-- monetary from their product lines before the cutoff (recency in days from their last purchase
-- to the cutoff), scored with the store's segment model (macros/score_segments.sql). The
-- evaluation's segment popularity reads these, never the segments of the whole history, which
-- know what customers did after the cutoff.

with

lines as (

    select * from {{ ref('int_product_lines_classified') }}

),

cutoffs as (

    select distinct
        store,
        cutoff_date
    from {{ ref('int_recommendation_baskets') }}

),

rfm_at_cutoff as (

    select
        lines.store,
        lines.customer_id,
        {{ dbt.datediff("max(case when lines.reason = 'purchase' then lines.order_date end)", 'cutoffs.cutoff_date', 'day') }}
            as recency_days,
        count(distinct case when lines.reason = 'purchase' then lines.order_id end) as frequency,
        sum(case when lines.counts_in_monetary then lines.line_value else 0 end) as monetary
    from lines
    inner join cutoffs
        on lines.store = cutoffs.store
    where lines.order_date < cutoffs.cutoff_date
    group by lines.store, lines.customer_id, cutoffs.cutoff_date

),

scored as (

    {{ score_segments('(select * from rfm_at_cutoff where frequency > 0)') }}

)

select
    store,
    customer_id,
    segment_id,
    segment_label
from scored
