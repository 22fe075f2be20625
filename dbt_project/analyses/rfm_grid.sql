-- The named-RFM grid: customers and revenue per recency score x frequency score cell.
select
    r_score,
    f_score,
    min(rfm_segment) as rfm_segment,
    count(*) as customers,
    round(sum(monetary), 2) as revenue
from {{ ref('fct_customer_rfm') }}
where has_purchases
group by r_score, f_score
order by r_score desc, f_score
