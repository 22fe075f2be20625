-- Every parsed contact record with exactly one status and reason (seed student_exclusion_reasons,
-- first match wins), and the student it belongs to.
--
-- Survivor rule: records with the same email (trimmed, case-folded) are one student. Among its
-- valid records (contact id present and first of its id, created timestamp readable) the survivor
-- is the earliest created, ties to the smallest contact id; its contact id is the student_id.
-- A record without email is a student on its own.

with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

numbered as (

    select
        *,
        row_number() over (partition by contact_id order by line_number) as contact_id_occurrence
    from contacts

),

checked as (

    select
        *,
        case
            when contact_id is null then 'missing_contact_id'
            when contact_id_occurrence > 1 then 'duplicate_contact_id'
            when is_invalid_created_at then 'invalid_created_at'
        end as invalid_reason,
        coalesce(email, {{ dbt.concat(["'contact:'", 'contact_id']) }}) as person_key
    from numbered

),

valid as (

    select
        line_number,
        person_key,
        contact_id,
        row_number() over (
            partition by person_key order by created_at, contact_id
        ) as survivor_rank
    from checked
    where invalid_reason is null

),

survivors as (

    select
        person_key,
        contact_id as student_id
    from valid
    where survivor_rank = 1

),

final as (

    select
        checked.line_number,
        checked.contact_id,
        survivors.student_id,
        valid.survivor_rank,
        checked.person_key,
        checked.first_name,
        checked.last_name,
        checked.email,
        checked.country_text,
        checked.country_code,
        checked.country_name,
        checked.country_bucket,
        checked.is_unknown_country,
        checked.created_at,
        checked.looking_for_job,
        checked.phone_payment_plan,
        checked.professional_interests,
        checked.monthly_income_range,
        case
            when checked.invalid_reason is not null then 'excluded'
            when valid.survivor_rank > 1 then 'excluded'
            else 'kept'
        end as row_status,
        case
            when checked.invalid_reason is not null then checked.invalid_reason
            when valid.survivor_rank > 1 then 'duplicate_contact_merged'
            else 'survivor'
        end as record_reason
    from checked
    left join valid
        on checked.line_number = valid.line_number
    left join survivors
        on valid.person_key = survivors.person_key

)

select * from final
