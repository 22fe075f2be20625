-- Lines of the two CRM exports that the CSV reader could not split: one row per file and line.
-- The pre-hooks read each file once with the reader's reject tables on (macros/csv_reader.sql).
{{ config(pre_hook=[
    "{{ csv_reject_scan(source('crm', 'contacts'), 'crm_contacts_rejects') }}",
    "{{ csv_reject_scan(source('crm', 'opportunities'), 'crm_opportunities_rejects') }}",
]) }}

with

contacts as (

    {{ csv_reject_rows('crm_contacts_rejects') }}

),

opportunities as (

    {{ csv_reject_rows('crm_opportunities_rejects') }}

),

final as (

    select
        'crm_contacts' as source_table,
        *
    from contacts
    union all
    select
        'crm_opportunities' as source_table,
        *
    from opportunities

)

select * from final
