-- Customer assignments of int_customer_segments (Python), per store, published with typed columns,
-- with each customer's segment history from customer_segment_status (the segment held before,
-- since when the customer is in this one).

with

segments as (

    select * from {{ ref('int_customer_segments') }}

),

status as (

    select * from {{ ref('customer_segment_status') }}

),

runs as (

    select
        store,
        as_of_date
    from {{ ref('int_commerce_segmentation_runs') }}

),

final as (

    select
        cast(segments.store as {{ dbt.type_string() }}) as store,
        cast(segments.customer_id as bigint) as customer_id,
        cast(segments.segment_id as integer) as segment_id,
        cast(segments.segment_label as {{ dbt.type_string() }}) as segment_label,
        cast(segments.rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
        cast(segments.recency_days as integer) as recency_days,
        cast(segments.frequency as integer) as frequency,
        cast(segments.monetary as double) as monetary,
        cast(segments.pca_1 as double) as pca_1,
        cast(segments.pca_2 as double) as pca_2,
        cast(segments.model_run_id as {{ dbt.type_string() }}) as model_run_id,
        status.previous_segment_id,
        status.previous_segment_label,
        status.segment_since,
        cast({{ dbt.datediff('status.segment_since', 'runs.as_of_date', 'day') }} as integer) as days_in_segment, -- noqa: LT05
        status.segment_changes,
        status.changed_in_latest_run
    from segments
    inner join runs
        on segments.store = runs.store
    left join status
        on
            segments.store = status.store
            and segments.customer_id = status.customer_id

)

select * from final
