-- One row per raw review of the optional Olist reviews export (no rows without the file).

with

source as (

    select *
    from {{ olist_rows('order_reviews') }} as reviews

),

final as (

    select
        line_number,
        nullif(trim(review_id), '') as review_id,
        nullif(trim(order_id), '') as order_id,
        {{ dbt.safe_cast('trim(review_score)', dbt.type_int()) }} as review_score
    from source

)

select * from final
