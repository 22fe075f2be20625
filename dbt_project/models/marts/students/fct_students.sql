-- One row per student (contact records merged on email), every cohort: the traits the analysts
-- use to tell high-lifetime-value students from the rest. Definitions are in _students__marts.yml.

with

students as (

    select * from {{ ref('int_students_merged') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_classified') }}
    where row_status = 'kept'

),

dominant_terms as (

    select
        student_id,
        payment_term
    from {{ ref('int_payment_terms_ranked') }}
    where term_rank = 1

),

first_diplomas as (

    select
        student_id,
        diploma,
        diploma_source
    from {{ ref('int_first_diplomas_ranked') }}
    where diploma_rank = 1

),

genders as (

    select * from {{ ref('int_first_names_gendered') }}

),

per_student as (

    select
        student_id,
        count(*) as n_opportunities,
        sum(case when is_won then 1 else 0 end) as n_won_opportunities,
        sum(case when is_won then coalesce(amount_paid, 0) else 0 end) as ltv,
        {{ dbt.bool_or('is_won and is_bogo') }} as has_bogo
    from opportunities
    group by student_id

),

joined as (

    select
        students.student_id,
        students.cohort_year,
        students.created_at,
        students.country_code,
        students.country,
        students.country_bucket,
        coalesce(genders.gender, 'unknown') as gender,
        students.n_contact_records,
        coalesce(per_student.n_opportunities, 0) as n_opportunities,
        coalesce(per_student.n_won_opportunities, 0) as n_won_opportunities,
        dominant_terms.payment_term as dominant_payment_term,
        first_diplomas.diploma as first_diploma,
        first_diplomas.diploma_source as first_diploma_source,
        coalesce(per_student.has_bogo, false) as has_bogo,
        coalesce(per_student.ltv, 0) as ltv,
        students.looking_for_job,
        students.phone_payment_plan,
        students.professional_interests,
        students.monthly_income_range
    from students
    left join per_student
        on students.student_id = per_student.student_id
    left join dominant_terms
        on students.student_id = dominant_terms.student_id
    left join first_diplomas
        on students.student_id = first_diplomas.student_id
    left join genders
        on students.first_name = genders.first_name

),

cohort_means as (

    select
        cohort_year,
        avg(cast(ltv as double)) as cohort_mean_ltv
    from joined
    group by cohort_year

),

diploma_sizes as (

    select
        first_diploma,
        count(*) as n_students
    from joined
    where first_diploma is not null
    group by first_diploma

),

top_diplomas as (

    -- the `diploma_top_n` diplomas with the most students; equal counts go alphabetically
    select first_diploma
    from (
        select
            first_diploma,
            row_number() over (order by n_students desc, first_diploma asc) as diploma_rank
        from diploma_sizes
    ) as ranked
    where diploma_rank <= {{ var('diploma_top_n') }}

),

final as (

    select
        joined.student_id,
        joined.cohort_year,
        joined.created_at,
        joined.country_code,
        joined.country,
        joined.country_bucket,
        joined.gender,
        cast(joined.n_contact_records as integer) as n_contact_records,
        cast(joined.n_opportunities as integer) as n_opportunities,
        cast(joined.n_won_opportunities as integer) as n_won_opportunities,
        joined.dominant_payment_term,
        joined.first_diploma,
        joined.first_diploma_source,
        case
            when joined.first_diploma is null then 'No diploma'
            when top_diplomas.first_diploma is not null then joined.first_diploma
            else 'Others'
        end as diploma_bucket,
        joined.has_bogo,
        cast(joined.ltv as double) as ltv,
        cohort_means.cohort_mean_ltv,
        case
            when cast(joined.ltv as double) > cohort_means.cohort_mean_ltv
                then 'high'
            else 'low'
        end as ltv_class,
        joined.looking_for_job,
        joined.phone_payment_plan,
        joined.professional_interests,
        joined.monthly_income_range
    from joined
    inner join cohort_means
        on joined.cohort_year = cohort_means.cohort_year
    left join top_diplomas
        on joined.first_diploma = top_diplomas.first_diploma

)

select * from final
