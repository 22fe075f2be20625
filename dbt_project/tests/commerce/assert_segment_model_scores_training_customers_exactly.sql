-- Scoring the training customers in SQL (the view marts.score_rfm, macro score_segments) must
-- give every customer of marts.customer_segments the same segment, and no customer more or less.
-- It also stands for not_null and relationships tests on score_rfm: a customer missing on either
-- side, or with no segment, is a row here.

with

scored as (

    select * from {{ ref('score_rfm') }}

),

segments as (

    select * from {{ ref('customer_segments') }}

)

select
    coalesce(segments.store, scored.store) as store,
    coalesce(segments.customer_id, scored.customer_id) as customer_id,
    segments.segment_id as python_segment_id,
    scored.segment_id as sql_segment_id
from segments
full outer join scored
    on segments.store = scored.store
    and segments.customer_id = scored.customer_id
where segments.segment_id is null
    or scored.segment_id is null
    or segments.segment_id <> scored.segment_id
    or segments.segment_label <> scored.segment_label
