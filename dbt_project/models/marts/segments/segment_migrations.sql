-- Customers moving between segments from the previous run to the latest one in
-- customer_segment_history: one row per (from, to) pair with at least one customer moving.
-- A null from-segment is a customer new to segmentation, a null to-segment one that left it.
-- With a single run, or the same assignments twice, the table is empty.

with

history as (

    select * from {{ ref('customer_segment_history') }}

),

runs as (

    select
        model_run_id,
        row_number() over (order by run_started_at desc, model_run_id desc) as run_rank
    from (select distinct model_run_id, run_started_at from history) as distinct_runs

),

latest as (

    select history.*
    from history
    inner join runs
        on history.model_run_id = runs.model_run_id
    where runs.run_rank = 1

),

previous as (

    select history.*
    from history
    inner join runs
        on history.model_run_id = runs.model_run_id
    where runs.run_rank = 2

),

moves as (

    select
        previous.segment_id as from_segment_id,
        previous.segment_label as from_segment_label,
        latest.segment_id as to_segment_id,
        latest.segment_label as to_segment_label
    from previous
    full outer join latest
        on previous.customer_id = latest.customer_id
    where
        (previous.segment_id is null or latest.segment_id is null
            or previous.segment_id <> latest.segment_id)

),

final as (

    select
        (select model_run_id from runs where run_rank = 2) as from_run_id,
        (select model_run_id from runs where run_rank = 1) as to_run_id,
        cast(from_segment_id as integer) as from_segment_id,
        from_segment_label,
        cast(to_segment_id as integer) as to_segment_id,
        to_segment_label,
        cast(count(*) as integer) as customers
    from moves
    where exists (select 1 from runs where run_rank = 2)
    group by from_segment_id, from_segment_label, to_segment_id, to_segment_label

)

select * from final
