-- One row per raw seller of the optional Olist sellers export (no rows without the file).

with

source as (

    select *
    from {{ olist_rows('sellers') }} as sellers

),

final as (

    select
        line_number,
        nullif(trim(seller_id), '') as seller_id,
        nullif(trim(seller_zip_code_prefix), '') as zip_code_prefix,
        lower(nullif(trim(seller_city), '')) as city,
        upper(nullif(trim(seller_state), '')) as state
    from source

)

select * from final
