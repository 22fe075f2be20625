-- One row per raw customer record of the Olist export (one per order): the order's customer_id,
-- the person's customer_unique_id, and where they live (zip code prefix kept as text).

with

source as (

    select *
    from {{ olist_rows('customers') }} as customers

),

final as (

    select
        line_number,
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(customer_unique_id), '') as customer_unique_id,
        nullif(trim(customer_zip_code_prefix), '') as zip_code_prefix,
        lower(nullif(trim(customer_city), '')) as city,
        upper(nullif(trim(customer_state), '')) as state
    from source

)

select * from final
