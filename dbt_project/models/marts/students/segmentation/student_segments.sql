-- Student assignments of int_student_segments (Python), published with typed columns.

with

source as (

    select * from {{ ref('int_student_segments') }}

),

final as (

    select
        cast(student_id as {{ dbt.type_string() }}) as student_id,
        cast(segment_id as integer) as segment_id,
        cast(segment_label as {{ dbt.type_string() }}) as segment_label,
        cast(country_bucket as {{ dbt.type_string() }}) as country_bucket,
        cast(gender_in_country as {{ dbt.type_string() }}) as gender_in_country,
        cast(dominant_payment_term as {{ dbt.type_string() }}) as dominant_payment_term,
        cast(diploma_bucket as {{ dbt.type_string() }}) as diploma_bucket,
        cast(has_bogo as boolean) as has_bogo,
        cast(ltv as double) as ltv,
        cast(ltv_class as {{ dbt.type_string() }}) as ltv_class,
        cast(pca_1 as double) as pca_1,
        cast(pca_2 as double) as pca_2,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from source

)

select * from final
