-- One row per raw row of the optional Olist geolocation export (no rows without the file).

with

source as (

    select *
    from {{ olist_rows('geolocation') }} as geolocation

),

final as (

    select
        line_number,
        nullif(trim(geolocation_zip_code_prefix), '') as zip_code_prefix,
        {{ dbt.safe_cast('trim(geolocation_lat)', dbt.type_float()) }} as latitude,
        {{ dbt.safe_cast('trim(geolocation_lng)', dbt.type_float()) }} as longitude,
        lower(nullif(trim(geolocation_city), '')) as city,
        upper(nullif(trim(geolocation_state), '')) as state
    from source

)

select * from final
