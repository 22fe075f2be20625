-- fct_students for one cohort only: the students created in the year of the `cohort_year` var
-- (default 2020). ltv_class compares with that cohort's own mean, as in fct_students.

with

students as (

    select * from {{ ref('fct_students') }}

),

final as (

    select
        student_id,
        cohort_year,
        created_at,
        country_code,
        country,
        country_bucket,
        gender,
        n_contact_records,
        n_opportunities,
        n_won_opportunities,
        dominant_payment_term,
        first_diploma,
        first_diploma_source,
        diploma_bucket,
        has_bogo,
        ltv,
        cohort_mean_ltv,
        ltv_class,
        looking_for_job,
        phone_payment_plan,
        professional_interests,
        monthly_income_range
    from students
    where cohort_year = {{ var('cohort_year') }}

)

select * from final
