-- Per store, how the interest segments (what customers buy) cross the RFM segments (how
-- recently, often and much they buy): customers and revenue per pair.

with

interests as (

    select * from {{ ref('customer_interest_segments') }}

),

segments as (

    select * from {{ ref('customer_segments') }}

),

final as (

    select
        interests.store,
        interests.interest_segment_id,
        interests.interest_segment_label,
        segments.segment_id,
        segments.segment_label,
        cast(count(*) as integer) as customers,
        cast(sum(segments.monetary) as double) as revenue
    from interests
    inner join segments
        on
            interests.store = segments.store
            and interests.customer_id = segments.customer_id
    group by
        interests.store, interests.interest_segment_id, interests.interest_segment_label,
        segments.segment_id, segments.segment_label

)

select * from final
