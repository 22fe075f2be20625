-- One row per student: the contact records sharing an email merged into one.
--
-- student_id, created_at (hence cohort_year) come from the survivor (earliest created record).
-- Every other attribute is the first filled value in survivor order (survivor first, then the
-- next earliest record, ...), so a field filled on any record of the student is kept.

with

records as (

    select * from {{ ref('int_contacts_classified') }}
    where student_id is not null

),

merged as (

    select
        student_id,
        min(person_key) as person_key,
        min(email) as email,
        count(*) as n_contact_records,
        {{ first_filled('created_at', 'survivor_rank') }} as created_at,
        {{ first_filled('first_name', 'survivor_rank') }} as first_name,
        {{ first_filled('last_name', 'survivor_rank') }} as last_name,
        {{ first_filled('country_code', 'survivor_rank') }} as country_code,
        {{ first_filled('country_name', 'survivor_rank') }} as country_name,
        {{ first_filled('country_bucket', 'survivor_rank') }} as country_bucket,
        {{ first_filled('looking_for_job', 'survivor_rank') }} as looking_for_job,
        {{ first_filled('phone_payment_plan', 'survivor_rank') }} as phone_payment_plan,
        {{ first_filled('professional_interests', 'survivor_rank') }} as professional_interests,
        {{ first_filled('monthly_income_range', 'survivor_rank') }} as monthly_income_range
    from records
    group by student_id

),

final as (

    select
        student_id,
        person_key,
        email,
        n_contact_records,
        created_at,
        cast(extract(year from created_at) as integer) as cohort_year,
        first_name,
        last_name,
        country_code,
        coalesce(country_name, 'Unknown') as country,
        coalesce(country_bucket, 'Others') as country_bucket,
        country_code is null as is_unknown_country,
        looking_for_job,
        phone_payment_plan,
        professional_interests,
        monthly_income_range
    from merged

)

select * from final
