-- One row per store, interest segment and category: the segment's mean share of spend in the
-- category against all customers' mean, and the lift (ratio); the labels come from the highest
-- lifts.

with

source as (

    select * from {{ ref('int_interest_segmentation') }}
    where row_kind = 'profile'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(interest_segment_id as integer) as interest_segment_id,
        cast(interest_segment_label as {{ dbt.type_string() }}) as interest_segment_label,
        cast(customers as integer) as customers,
        cast(category_id as integer) as category_id,
        cast(category_name as {{ dbt.type_string() }}) as category_name,
        cast(mean_share as double) as mean_share,
        cast(overall_mean_share as double) as overall_mean_share,
        cast(lift as double) as lift,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from source

)

select * from final
