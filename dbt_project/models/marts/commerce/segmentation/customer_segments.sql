-- Customer assignments of int_customer_segments (Python), per store, published with typed columns.

with

segments as (

    select * from {{ ref('int_customer_segments') }}

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(customer_id as bigint) as customer_id,
        cast(segment_id as integer) as segment_id,
        cast(segment_label as {{ dbt.type_string() }}) as segment_label,
        cast(rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
        cast(recency_days as integer) as recency_days,
        cast(frequency as integer) as frequency,
        cast(monetary as double) as monetary,
        cast(pca_1 as double) as pca_1,
        cast(pca_2 as double) as pca_2,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from segments

)

select * from final
