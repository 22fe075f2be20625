-- Candidate first diplomas of each student, ranked: diploma_rank = 1 is the first diploma.
-- LMS enrolments come first (earliest enrolled_at, then enrolment id); only a student with no
-- kept enrolment falls back to its won opportunities (earliest close date, then created date,
-- then opportunity id). Rows without a diploma name are not candidates.

with

enrollments as (

    select
        student_id,
        diploma,
        'lms' as diploma_source,
        1 as source_priority,
        enrolled_at as event_at,
        enrolled_at as second_event_at,
        enrollment_id as source_id
    from {{ ref('int_enrollments_classified') }}
    where
        reason = 'kept'
        and diploma is not null

),

won_opportunities as (

    select
        student_id,
        diploma,
        'crm' as diploma_source,
        2 as source_priority,
        cast(close_date as {{ dbt.type_timestamp() }}) as event_at,
        cast(created_date as {{ dbt.type_timestamp() }}) as second_event_at,
        opportunity_id as source_id
    from {{ ref('int_opportunities_classified') }}
    where
        reason = 'kept_won'
        and diploma is not null

),

candidates as (

    select * from enrollments
    union all
    select * from won_opportunities

),

final as (

    select
        student_id,
        diploma,
        diploma_source,
        event_at,
        source_id,
        row_number() over (
            partition by student_id
            order by
                source_priority asc,
                event_at asc nulls last,
                second_event_at asc nulls last,
                source_id asc
        ) as diploma_rank
    from candidates

)

select * from final
