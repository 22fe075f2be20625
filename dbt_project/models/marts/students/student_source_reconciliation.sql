-- Accounts for every raw row of the three student exports: raw rows = kept + excluded (+ rejected
-- by the CSV reader), one row per source table and reason of seed student_exclusion_reasons
-- (reasons with no row show 0).

with

reasons as (

    select * from {{ ref('student_exclusion_reasons') }}

),

students as (

    select
        student_id,
        is_unknown_country
    from {{ ref('int_students_merged') }}

),

contacts as (

    select
        'crm_contacts' as source_table,
        case
            when contacts.record_reason <> 'survivor' then contacts.record_reason
            when students.is_unknown_country then 'kept_unknown_country'
            else 'kept'
        end as reason
    from {{ ref('int_contacts_classified') }} as contacts
    left join students
        on contacts.student_id = students.student_id

),

opportunities as (

    select
        'crm_opportunities' as source_table,
        reason
    from {{ ref('int_opportunities_classified') }}

),

enrollments as (

    select
        'lms_enrollments' as source_table,
        reason
    from {{ ref('int_enrollments_classified') }}

),

rejected as (

    select
        source_table,
        'rejected_by_parser' as reason
    from {{ ref('stg_crm__parser_rejects') }}
    union all
    select
        source_table,
        'rejected_by_parser' as reason
    from {{ ref('stg_lms__parser_rejects') }}

),

all_rows as (

    select * from contacts
    union all
    select * from opportunities
    union all
    select * from enrollments
    union all
    select * from rejected

),

counted as (

    select
        source_table,
        reason,
        count(*) as n_rows
    from all_rows
    group by source_table, reason

),

final as (

    select
        reasons.source_table,
        reasons.reason_order,
        reasons.row_status,
        reasons.reason,
        reasons.description,
        coalesce(counted.n_rows, 0) as n_rows,
        coalesce(counted.n_rows, 0) * 1.0
        / sum(coalesce(counted.n_rows, 0)) over (partition by reasons.source_table)
            as share_of_raw_rows
    from reasons
    left join counted
        on
            reasons.source_table = counted.source_table
            and reasons.reason = counted.reason

)

select * from final
