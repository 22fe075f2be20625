-- Where customers went between consecutive segmentation runs of a store: one row per store, pair
-- of runs (from the run before to the run after) and (from segment, to segment), customers who
-- stayed included (is_move false). A null from-segment is a customer new to segmentation, a null
-- to-segment one that left it. The one definition of migrations: the dashboard and the analyses
-- read it. Appended: each build adds the pairs ending at runs not yet in the table.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}

with

history as (

    select * from {{ ref('customer_segment_history') }}

),

runs as (

    select
        store,
        model_run_id,
        row_number() over (
            partition by store order by run_started_at, model_run_id
        ) as run_number
    from (select distinct
        store,
        model_run_id,
        run_started_at
    from history) as distinct_runs

),

run_pairs as (

    select
        after_run.store,
        before_run.model_run_id as from_run_id,
        after_run.model_run_id as to_run_id
    from runs as after_run
    inner join runs as before_run
        on
            after_run.store = before_run.store
            and before_run.run_number = after_run.run_number - 1
    {% if is_incremental() -%}
    where after_run.model_run_id not in (select to_run_id from {{ this }})
    {%- endif %}

),

assignments as (

    -- each pair's customers in its earlier run (is_later false) and in its later run
    select
        run_pairs.store,
        run_pairs.from_run_id,
        run_pairs.to_run_id,
        history.model_run_id = run_pairs.to_run_id as is_later,
        history.customer_id,
        history.segment_id,
        history.segment_label
    from run_pairs
    inner join history
        on
            run_pairs.store = history.store
            and history.model_run_id in (run_pairs.from_run_id, run_pairs.to_run_id)

),

before_assignments as (

    select * from assignments
    where not is_later

),

after_assignments as (

    select * from assignments
    where is_later

),

moves as (

    select
        coalesce(before_assignments.store, after_assignments.store) as store,
        coalesce(before_assignments.from_run_id, after_assignments.from_run_id) as from_run_id,
        coalesce(before_assignments.to_run_id, after_assignments.to_run_id) as to_run_id,
        before_assignments.segment_id as from_segment_id,
        before_assignments.segment_label as from_segment_label,
        after_assignments.segment_id as to_segment_id,
        after_assignments.segment_label as to_segment_label
    from before_assignments
    full outer join after_assignments
        on
            before_assignments.store = after_assignments.store
            and before_assignments.to_run_id = after_assignments.to_run_id
            and before_assignments.customer_id = after_assignments.customer_id

),

final as (

    select
        store,
        from_run_id,
        to_run_id,
        cast(from_segment_id as integer) as from_segment_id,
        from_segment_label,
        cast(to_segment_id as integer) as to_segment_id,
        to_segment_label,
        -- a move is a change of meaning (label), not of id: a refit may renumber a segment
        coalesce(from_segment_label <> to_segment_label, true) as is_move,
        cast(count(*) as integer) as customers
    from moves
    group by
        store, from_run_id, to_run_id, from_segment_id, from_segment_label, to_segment_id,
        to_segment_label

)

select * from final
