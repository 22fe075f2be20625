-- Within a store, two segments never share a label, and each segment has one label, three
-- features and a positive id (ids need not be 1..k: a refit keeps the ids of the segments it
-- continues).

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
    cast(segment_id as string) as item
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
    'segment id not positive' as problem,
    cast(segment_id as string) as item
from per_segment
where segment_id < 1
