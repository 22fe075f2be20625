-- Portuguese product category name -> English, as the export writes them (its own spellings).

with

source as (

    select *
    from {{ olist_rows('category_translation') }} as translation

),

final as (

    select
        line_number,
        nullif(trim(product_category_name), '') as category_name,
        nullif(trim(product_category_name_english), '') as category_name_english
    from source

)

select * from final
