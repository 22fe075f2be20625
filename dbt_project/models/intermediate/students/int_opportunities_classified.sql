-- Every parsed opportunity with exactly one status and reason (seed student_exclusion_reasons,
-- first match wins) and, when kept, the student it belongs to: opportunities of a merged
-- duplicate contact are re-pointed to the survivor's student_id.

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

contacts as (

    -- kept and merged records: each valid contact id once
    select
        contact_id,
        student_id
    from {{ ref('int_contacts_classified') }}
    where student_id is not null

),

numbered as (

    select
        *,
        row_number() over (
            partition by opportunity_id order by line_number
        ) as opportunity_id_occurrence
    from opportunities

),

classified as (

    select
        numbered.*,
        contacts.student_id as contact_student_id,
        case
            when numbered.opportunity_id is null then 'missing_opportunity_id'
            when numbered.opportunity_id_occurrence > 1 then 'duplicate_opportunity_id'
            when numbered.contact_id is null then 'missing_contact_id'
            when numbered.invalid_fields <> '' then 'invalid_value'
            when numbered.amount < 0 or numbered.amount_paid < 0 then 'negative_amount'
            when contacts.student_id is null then 'orphan_opportunity'
            when numbered.is_won then 'kept_won'
            else 'kept_not_won'
        end as reason
    from numbered
    left join contacts
        on numbered.contact_id = contacts.contact_id

),

final as (

    select
        line_number,
        opportunity_id,
        contact_id,
        case when reason like 'kept%' then contact_student_id end as student_id,
        product_text,
        diploma,
        stage,
        is_won,
        payment_term_text,
        payment_term,
        amount,
        amount_paid,
        is_bogo,
        created_date,
        close_date,
        invalid_fields,
        case when reason like 'kept%' then 'kept' else 'excluded' end as row_status,
        reason
    from classified

)

select * from final
