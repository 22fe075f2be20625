-- Segment mix per store and country: customers and revenue per (country, segment), with the segment's
-- share of the country's customers.
with by_country as (
    select
        s.store,
        r.country,
        s.segment_label,
        count(*) as customers,
        sum(s.monetary) as revenue
    from {{ ref('customer_segments') }} as s
    inner join {{ ref('fct_customer_rfm') }} as r
        on s.store = r.store and s.customer_id = r.customer_id
    group by s.store, r.country, s.segment_label
)

select
    store,
    country,
    segment_label,
    customers,
    round(revenue, 2) as revenue,
    round(100.0 * customers / sum(customers) over (partition by store, country), 1) as pct_of_country
from by_country
order by store asc, country asc, customers desc, segment_label asc
