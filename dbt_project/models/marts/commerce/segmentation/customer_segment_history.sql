-- Every build's customer assignments, appended: one row per store, run and customer.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ backfill_store_column() }}",
) }}

with

segments as (

    select * from {{ ref('customer_segments') }}

),

run as (

    select * from {{ ref('int_commerce_segmentation_runs') }}

),

final as (

    select
        run.store,
        run.model_run_id,
        run.run_started_at,
        run.as_of_date,
        segments.customer_id,
        cast(segments.segment_id as integer) as segment_id,
        segments.segment_label,
        segments.rfm_segment
    from segments
    inner join run
        on
            segments.store = run.store
            and segments.model_run_id = run.model_run_id

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
