-- Win-back list: customers whose named RFM segment is At Risk or Can't Lose and who spent more
-- than their segment's median, with the segment's suggestion. Largest spenders first.
select
    s.store,
    s.customer_id,
    r.country,
    s.rfm_segment,
    s.segment_label,
    s.recency_days,
    s.frequency,
    s.monetary,
    p.median_monetary as segment_median_monetary,
    p.suggestion
from {{ ref('customer_segments') }} as s
inner join {{ ref('segment_profiles') }} as p
    on s.store = p.store and s.segment_id = p.segment_id
inner join {{ ref('fct_customer_rfm') }} as r
    on s.store = r.store and s.customer_id = r.customer_id
where
    s.rfm_segment in ('At Risk', 'Can''t Lose')
    and s.monetary > p.median_monetary
order by s.store asc, s.monetary desc, s.customer_id asc
