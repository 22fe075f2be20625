-- The named-RFM grid of every store: customers and revenue per recency score x frequency score cell.
select
    store,
    r_score,
    f_score,
    min(rfm_segment) as rfm_segment,
    count(*) as customers,
    round(sum(monetary), 2) as revenue
from {{ ref('fct_customer_rfm') }}
where has_purchases
group by store, r_score, f_score
order by store asc, r_score desc, f_score asc
