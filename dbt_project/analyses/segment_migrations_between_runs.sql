-- Where customers went between any two segmentation runs of a store (not only consecutive ones),
-- by segment: segment ids keep their meaning across refits (marts.segment_id_matches), so the
-- two runs' assignments in marts.customer_segment_history compare directly. Runs are chosen with
-- vars, by default each store's first and latest runs:
--   dbt compile --select segment_migrations_between_runs --vars '{from_run_id: ..., to_run_id: ...}'
with runs as (
    select
        store,
        model_run_id,
        row_number() over (partition by store order by run_started_at asc, model_run_id asc) as first_rank,
        row_number() over (partition by store order by run_started_at desc, model_run_id desc) as last_rank
    from {{ ref('segmentation_runs') }}
),

{%- set is_from = "model_run_id = " ~ sql_string(var('from_run_id')) if var('from_run_id', none) else "first_rank = 1" %}
{%- set is_to = "model_run_id = " ~ sql_string(var('to_run_id')) if var('to_run_id', none) else "last_rank = 1" %}

chosen as (
    select
        store,
        max(case when {{ is_from }} then model_run_id end) as from_run_id,
        max(case when {{ is_to }} then model_run_id end) as to_run_id
    from runs
    group by store
),

sides as (
    select true as is_before
    union all
    select false as is_before
),

assignments as (
    -- each customer's segment in the earlier run (is_before) and in the later one
    select
        h.store,
        h.customer_id,
        h.segment_id,
        h.segment_label,
        sides.is_before
    from {{ ref('customer_segment_history') }} as h
    inner join chosen as c
        on h.store = c.store
    inner join sides
        on h.model_run_id = case when sides.is_before then c.from_run_id else c.to_run_id end
),

before_runs as (
    select * from assignments
    where is_before
),

after_runs as (
    select * from assignments
    where not is_before
),

pairs as (
    select
        coalesce(b.store, a.store) as store,
        b.segment_id as from_segment_id,
        coalesce(b.segment_label, '(not segmented)') as from_segment,
        a.segment_id as to_segment_id,
        coalesce(a.segment_label, '(not segmented)') as to_segment
    from before_runs as b
    full outer join after_runs as a
        on b.store = a.store and b.customer_id = a.customer_id
)

select
    store,
    from_segment_id,
    from_segment,
    to_segment_id,
    to_segment,
    count(*) as customers
from pairs
group by store, from_segment_id, from_segment, to_segment_id, to_segment
order by store asc, customers desc, from_segment_id asc, to_segment_id asc
