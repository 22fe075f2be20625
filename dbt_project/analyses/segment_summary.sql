-- Segments of every store at a glance: size, revenue share, typical customer and what to do,
-- most valuable first.
select
    store,
    segment_id,
    segment_label,
    customers,
    round(100 * share_of_customers, 1) as pct_customers,
    round(revenue, 2) as revenue,
    round(100 * share_of_revenue, 1) as pct_revenue,
    median_recency_days,
    median_frequency,
    round(median_monetary, 2) as median_monetary,
    suggested_action,
    suggestion
from {{ ref('segment_profiles') }}
order by store asc, revenue desc, segment_id asc
