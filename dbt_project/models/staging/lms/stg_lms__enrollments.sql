-- One row per raw enrolment the reader could parse, in file order: trimmed, typed, email
-- case-folded (the key to the CRM student) and course names mapped to diplomas through the seed.

with

source as (

    select * from {{ read_csv_file(source('lms', 'enrollments'), 'lms_enrollments') }}

),

diploma_map as (

    select * from {{ ref('student_diploma_map') }}

),

renamed as (

    select
        row_number() over () as line_number,
        {{ clean_text('enrollment_id') }} as enrollment_id,
        {{ variant_key('email') }} as email,
        {{ clean_text('course_name') }} as course_name,
        {{ variant_key('course_name') }} as course_key,
        {{ dbt.safe_cast(clean_text('enrolled_at'), api.Column.translate_type('timestamp')) }}
            as enrolled_at,
        {{ variant_key('status') }} as status
    from source

),

final as (

    select
        renamed.line_number,
        renamed.enrollment_id,
        renamed.email,
        renamed.course_name,
        coalesce(diploma_map.diploma, renamed.course_name) as diploma,
        renamed.enrolled_at,
        renamed.enrolled_at is null as is_invalid_enrolled_at,
        renamed.status
    from renamed
    left join diploma_map
        on renamed.course_key = diploma_map.diploma_text

)

select * from final
