-- Every move of a customer to another segment, appended at each build: the rows of
-- customer_segment_status this build wrote with changed_in_latest_run. The one definition of a
-- customer's segment change (customer_segment_status counts them, the dashboard lists them).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}

with

status as (

    select * from {{ ref('customer_segment_status') }}

),

runs as (

    select
        store,
        model_run_id
    from {{ ref('int_commerce_segmentation_runs') }}

),

final as (

    select
        status.store,
        status.customer_id,
        status.previous_segment_id as from_segment_id,
        status.previous_segment_label as from_segment_label,
        status.segment_id as to_segment_id,
        status.segment_label as to_segment_label,
        status.last_segmented_on as changed_on,
        status.model_run_id
    from status
    inner join runs
        on
            status.store = runs.store
            and status.model_run_id = runs.model_run_id
    where status.changed_in_latest_run

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
