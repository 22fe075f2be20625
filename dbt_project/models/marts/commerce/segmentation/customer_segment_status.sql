-- Each customer's segment over time, as marketing tools keep it: per store and customer ever
-- segmented, the current segment (or, for a customer no longer segmented, the last one held),
-- the segment held before it, when the customer entered the current segment and how many times
-- the segment changed. Carried from build to build: each build reads the status it starts from
-- and writes it again for its stores' customers. A change is a change of segment label (what the
-- segment means to marketing): a refit that gives the same segment another id is not one. Dates are as-of dates (days of data).
-- On Spark (Parquet tables, no delete) it is a table rebuilt at every build from a copy of the
-- last build's rows (macros/carried_state.sql).
{{ config(
    materialized=incremental_unless_spark(),
    incremental_strategy='delete+insert',
    unique_key=['store', 'customer_id'],
    on_schema_change='fail',
    pre_hook="{{ carry_spark_state() }}",
    post_hook="{{ drop_spark_carried_state() }}",
) }}

with

runs as (

    select
        store,
        model_run_id,
        as_of_date
    from {{ ref('int_commerce_segmentation_runs') }}

),

today as (

    select
        segments.store,
        segments.customer_id,
        cast(segments.segment_id as integer) as segment_id,
        cast(segments.segment_label as {{ dbt.type_string() }}) as segment_label,
        runs.as_of_date
    from {{ ref('int_customer_segments') }} as segments
    inner join runs
        on segments.store = runs.store

),

previous as (

    {{ previous_state([
        ['store', dbt.type_string()],
        ['customer_id', 'bigint'],
        ['segment_id', 'integer'],
        ['segment_label', dbt.type_string()],
        ['previous_segment_id', 'integer'],
        ['previous_segment_label', dbt.type_string()],
        ['segment_since', 'date'],
        ['first_segmented_on', 'date'],
        ['last_segmented_on', 'date'],
        ['is_segmented', 'boolean'],
        ['segment_changes', 'integer'],
        ['model_run_id', dbt.type_string()],
    ], where='store in (select runs.store from runs)') }}

),

compared as (

    select
        coalesce(today.store, previous.store) as store,
        coalesce(today.customer_id, previous.customer_id) as customer_id,
        today.customer_id is not null as is_segmented,
        previous.customer_id is not null as was_known,
        -- a move is a change of meaning (label); a refit's new id of the same label is not one
        coalesce(previous.segment_label <> today.segment_label, false) as has_changed,
        coalesce(not previous.is_segmented, false) as has_returned,
        today.segment_id as today_segment_id,
        today.segment_label as today_segment_label,
        today.as_of_date,
        previous.segment_id,
        previous.segment_label,
        previous.previous_segment_id,
        previous.previous_segment_label,
        previous.segment_since,
        previous.first_segmented_on,
        previous.last_segmented_on,
        previous.segment_changes
    from today
    full outer join previous
        on
            today.store = previous.store
            and today.customer_id = previous.customer_id

),

final as (

    select
        compared.store,
        compared.customer_id,
        case when compared.is_segmented then compared.today_segment_id else compared.segment_id end as segment_id,
        case when compared.is_segmented then compared.today_segment_label else compared.segment_label end as segment_label,
        case when compared.has_changed then compared.segment_id else compared.previous_segment_id end as previous_segment_id,
        case when compared.has_changed then compared.segment_label else compared.previous_segment_label end as previous_segment_label,
        -- a build may go back in time (an earlier as-of date): dates never pass the build's own
        case
            when not compared.is_segmented then compared.segment_since
            when not compared.was_known or compared.has_changed or compared.has_returned then compared.as_of_date
            else least(compared.segment_since, compared.as_of_date)
        end as segment_since,
        case
            when not compared.is_segmented then compared.first_segmented_on
            else least(coalesce(compared.first_segmented_on, compared.as_of_date), compared.as_of_date)
        end as first_segmented_on,
        case when compared.is_segmented then compared.as_of_date else compared.last_segmented_on end as last_segmented_on,
        compared.is_segmented,
        cast(coalesce(compared.segment_changes, 0) + case when compared.has_changed then 1 else 0 end as integer) as segment_changes,
        runs.model_run_id,
        compared.has_changed as changed_in_latest_run
    from compared
    inner join runs
        on compared.store = runs.store

)

select * from final
