-- Scoring the training customers in SQL (the view marts.score_rfm, macro score_segments) must
-- give every customer of marts.customer_segments the same segment, once, and no customer more or
-- less. It also stands for the unique, not_null and relationships tests of score_rfm (each
-- would compute the view again): a customer scored twice, missing on either side, or with no
-- segment, is a row here.

with

scored as (

    select * from {{ ref('score_rfm') }}

),

segments as (

    select * from {{ ref('customer_segments') }}

),

scored_twice as (

    select
        store,
        customer_id,
        'scored more than once' as problem
    from scored
    group by store, customer_id
    having count(*) > 1

),

disagreements as (

    select
        coalesce(segments.store, scored.store) as store,
        coalesce(segments.customer_id, scored.customer_id) as customer_id,
        'segments differ or a side is missing' as problem
    from segments
    full outer join scored
        on
            segments.store = scored.store
            and segments.customer_id = scored.customer_id
    where
        segments.segment_id is null
        or scored.segment_id is null
        or segments.segment_id <> scored.segment_id
        or segments.segment_label <> scored.segment_label

)

select * from scored_twice
union all
select * from disagreements
