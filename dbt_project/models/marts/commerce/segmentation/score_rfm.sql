{{ config(materialized='view', post_hook="{{ create_rfm_segment_id_macro() }}") }}

-- Every customer of every store re-scored in SQL against the store's stored segment model
-- (macro score_segments): it must reproduce marts.customer_segments; analysts can copy the
-- pattern for other tables.

with

customers as (

    select * from {{ ref('fct_customer_rfm') }}

),

scored as (

    {{ score_segments(ref('fct_customer_rfm')) }}

),

final as (

    select
        customers.store,
        customers.customer_id,
        customers.recency_days,
        customers.frequency,
        customers.monetary,
        scored.segment_id,
        scored.segment_label,
        sqrt(scored.squared_distance) as distance
    from customers
    inner join scored
        on
            customers.store = scored.store
            and customers.customer_id = scored.customer_id

)

select * from final
