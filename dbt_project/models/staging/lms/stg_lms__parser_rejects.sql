-- Lines of the LMS export that the CSV reader could not split: one row per line. The pre-hook
-- reads the file once with the reader's reject tables on (macros/csv_reader.sql).
{{ config(pre_hook="{{ csv_reject_scan(source('lms', 'enrollments'), 'lms_enrollments_rejects') }}") }}

with

enrollments as (

    {{ csv_reject_rows('lms_enrollments_rejects') }}

),

final as (

    select
        'lms_enrollments' as source_table,
        *
    from enrollments

)

select * from final
