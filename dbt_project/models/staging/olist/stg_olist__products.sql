-- One row per raw product of the Olist export: its Portuguese category name (the English one is
-- joined in intermediate from stg_olist__category_translation).

with

source as (

    select *
    from {{ olist_rows('products') }} as products

),

final as (

    select
        line_number,
        nullif(trim(product_id), '') as product_id,
        nullif(trim(product_category_name), '') as category_name
    from source

)

select * from final
