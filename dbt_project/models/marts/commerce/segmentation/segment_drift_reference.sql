-- The feature distribution each segment model was fitted on (appended at each refit): per store,
-- fitting run and feature, bins at the training customers' deciles and the share of them in each.
-- A later build measures drift (population stability index) against these bins.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
) }}

with

fits as (

    select * from {{ ref('int_segment_fits') }}
    where row_kind = 'reference'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(bin as integer) as bin,
        cast(upper_bound as double) as upper_bound,
        cast(share as double) as share
    from fits

)

select * from final
{% if is_incremental() %}
where model_run_id not in (select model_run_id from {{ this }})
{% endif %}
