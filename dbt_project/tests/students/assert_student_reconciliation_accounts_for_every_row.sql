-- raw rows = kept + excluded (+ rejected by the reader), per student source table: the
-- reconciliation must count every parsed row and every rejected line exactly once, and the
-- students of fct_students must be exactly the kept contact records.
-- Returns a row for each source table (or check) whose totals disagree.

with

reconciled as (

    select
        source_table,
        sum(n_rows) as n_rows,
        sum(case when row_status = 'kept' then n_rows else 0 end) as n_kept
    from {{ ref('student_source_reconciliation') }}
    group by source_table

),

crm_rejects as (

    select
        source_table,
        count(*) as n_rows
    from {{ ref('stg_crm__parser_rejects') }}
    group by source_table

),

raw as (

    select
        'crm_contacts' as source_table,
        count(*) as n_rows
    from {{ ref('stg_crm__contacts') }}
    union all
    select
        'crm_opportunities' as source_table,
        count(*) as n_rows
    from {{ ref('stg_crm__opportunities') }}
    union all
    select
        'lms_enrollments' as source_table,
        count(*) as n_rows
    from {{ ref('stg_lms__enrollments') }}
    union all
    select
        crm_rejects.source_table,
        crm_rejects.n_rows
    from crm_rejects
    union all
    select
        'lms_enrollments' as source_table,
        count(*) as n_rows
    from {{ ref('stg_lms__parser_rejects') }}

),

raw_totals as (

    select
        source_table,
        sum(n_rows) as n_rows
    from raw
    group by source_table

),

checks as (

    select
        raw_totals.source_table,
        raw_totals.n_rows as raw_rows,
        reconciled.n_rows as reconciled_rows
    from raw_totals
    left join reconciled
        on raw_totals.source_table = reconciled.source_table
    union all
    select
        'fct_students vs kept contacts' as source_table,
        (select count(*) as n_students from {{ ref('fct_students') }}) as raw_rows,
        reconciled.n_kept as reconciled_rows
    from reconciled
    where reconciled.source_table = 'crm_contacts'

)

select * from checks
where reconciled_rows is null or raw_rows <> reconciled_rows
