-- Within a store, two segments never share a label, and each segment has one label, three
-- features and ids 1..k.

with

per_segment as (

    select
        store,
        segment_id,
        count(distinct segment_label) as labels,
        count(distinct feature) as features,
        count(*) as n_rows
    from {{ ref('segment_model') }}
    group by store, segment_id

),

per_label as (

    select
        store,
        segment_label,
        count(distinct segment_id) as segments
    from {{ ref('segment_model') }}
    group by store, segment_label

)

select
    store,
    'segment with several labels or not 3 features' as problem,
    cast(segment_id as varchar) as item
from per_segment
where labels <> 1 or features <> 3 or n_rows <> 3

union all

select
    store,
    'label shared by segments' as problem,
    segment_label as item
from per_label
where segments <> 1

union all

select
    store,
    'segment ids not 1..k' as problem,
    cast(max(segment_id) as varchar) as item
from per_segment
group by store
having min(segment_id) <> 1 or max(segment_id) <> count(*)
