-- Where customers went between the previous and the latest segmentation run, stayers included,
-- matched by segment label (segment numbers may change between runs).
with runs as (
    select
        model_run_id,
        max(run_started_at) as run_started_at,
        row_number() over (order by max(run_started_at) desc, model_run_id desc) as run_rank
    from {{ ref('customer_segment_history') }}
    group by model_run_id
),

previous_run as (
    select h.customer_id, h.segment_label
    from {{ ref('customer_segment_history') }} as h
    inner join runs on runs.model_run_id = h.model_run_id and runs.run_rank = 2
),

latest_run as (
    select h.customer_id, h.segment_label
    from {{ ref('customer_segment_history') }} as h
    inner join runs on runs.model_run_id = h.model_run_id and runs.run_rank = 1
)

select
    coalesce(p.segment_label, '(not segmented)') as from_segment,
    coalesce(l.segment_label, '(not segmented)') as to_segment,
    count(*) as customers
from previous_run as p
full outer join latest_run as l on l.customer_id = p.customer_id
group by 1, 2
order by customers desc, from_segment, to_segment
