-- The 10 highest-spending customers of every segment of every store, with their country (ties by customer id).
with ranked as (
    select
        s.store,
        s.segment_label,
        s.customer_id,
        r.country,
        s.recency_days,
        s.frequency,
        s.monetary,
        row_number() over (
            partition by s.store, s.segment_id order by s.monetary desc, s.customer_id asc
        ) as rank_in_segment
    from {{ ref('customer_segments') }} as s
    inner join {{ ref('fct_customer_rfm') }} as r
        on s.store = r.store and s.customer_id = r.customer_id
)

select *
from ranked
where rank_in_segment <= 10
order by store, segment_label, rank_in_segment
