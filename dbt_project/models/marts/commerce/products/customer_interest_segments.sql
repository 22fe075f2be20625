-- One row per store and customer with positive spend: the interest segment of their category-share
-- vector (customers who buy the same kinds of product) and its label (the over-represented
-- categories).

with

source as (

    select * from {{ ref('int_interest_segmentation') }}
    where row_kind = 'customer'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(customer_id as bigint) as customer_id,
        cast(interest_segment_id as integer) as interest_segment_id,
        cast(interest_segment_label as {{ dbt.type_string() }}) as interest_segment_label,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from source

)

select * from final
