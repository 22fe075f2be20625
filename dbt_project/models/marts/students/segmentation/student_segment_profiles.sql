-- Student segment profiles of int_student_segment_profiles (Python), published with typed columns.

with

source as (

    select * from {{ ref('int_student_segment_profiles') }}

),

final as (

    select
        cast(segment_id as integer) as segment_id,
        cast(segment_label as {{ dbt.type_string() }}) as segment_label,
        cast(students as integer) as students,
        cast(share_of_students as double) as share_of_students,
        cast(share_of_ltv as double) as share_of_ltv,
        cast(mean_ltv as double) as mean_ltv,
        cast(median_ltv as double) as median_ltv,
        cast(share_high_ltv as double) as share_high_ltv,
        cast(share_bogo as double) as share_bogo,
        cast(top_country_bucket as {{ dbt.type_string() }}) as top_country_bucket,
        cast(top_country_bucket_share as double) as top_country_bucket_share,
        cast(top_diploma_bucket as {{ dbt.type_string() }}) as top_diploma_bucket,
        cast(top_diploma_bucket_share as double) as top_diploma_bucket_share,
        cast(top_dominant_payment_term as {{ dbt.type_string() }}) as top_dominant_payment_term,
        cast(top_dominant_payment_term_share as double) as top_dominant_payment_term_share,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from source

)

select * from final
