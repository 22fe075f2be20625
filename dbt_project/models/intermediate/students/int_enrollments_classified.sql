-- Every parsed LMS enrolment with exactly one status and reason (seed student_exclusion_reasons,
-- first match wins) and, when kept, the student whose merged email it carries.

with

enrollments as (

    select * from {{ ref('stg_lms__enrollments') }}

),

students as (

    select
        student_id,
        email
    from {{ ref('int_students_merged') }}
    where email is not null

),

numbered as (

    select
        *,
        row_number() over (
            partition by enrollment_id order by line_number
        ) as enrollment_id_occurrence
    from enrollments

),

classified as (

    select
        numbered.*,
        students.student_id as email_student_id,
        case
            when numbered.enrollment_id is null then 'missing_enrollment_id'
            when numbered.enrollment_id_occurrence > 1 then 'duplicate_enrollment_id'
            when numbered.email is null then 'missing_email'
            when numbered.is_invalid_enrolled_at then 'invalid_enrolled_at'
            when students.student_id is null then 'orphan_enrollment'
            else 'kept'
        end as reason
    from numbered
    left join students
        on numbered.email = students.email

),

final as (

    select
        line_number,
        enrollment_id,
        email,
        case when reason = 'kept' then email_student_id end as student_id,
        course_name,
        diploma,
        enrolled_at,
        status,
        case when reason = 'kept' then 'kept' else 'excluded' end as row_status,
        reason
    from classified

)

select * from final
