-- raw lines = kept + excluded: the reconciliation must count every line of the raw file, parsed
-- or rejected by the CSV reader, each exactly once. Returns a row when the counts disagree:
-- the total is not the file's own count of lines (CSV, int_retail_file_lines) or rows (Parquet),
-- or lines are counted as rejected without a reject record of the reader to show for them
-- (lines lost silently), or reject records exist and no line is counted as rejected.
with

reconciled as (
    select
        sum(n_lines) as n_lines,
        sum(case when reason = 'rejected_by_parser' then n_lines else 0 end) as n_rejected_lines
    from {{ ref('retail_line_reconciliation') }}
),

file_lines as (
    select n_file_lines - n_line_breaks_in_records as n_lines
    from {{ ref('int_retail_file_lines') }}
),

reject_records as (
    select count(*) as n_records from {{ ref('stg_retail__parser_rejects') }}
),

parquet_rows as (
    {%- if retail_path().lower().endswith('.parquet') %}
    select count(*) as n_rows from {{ retail_raw_lines(rejects='retail_reconciliation_test') }}
    {%- else %}
    select cast(null as {{ dbt.type_bigint() }}) as n_rows
    {%- endif %}
),

checked as (
    select
        coalesce(file_lines.n_lines, parquet_rows.n_rows) as raw_lines,
        reconciled.n_lines as reconciled_lines,
        reconciled.n_rejected_lines,
        reject_records.n_records as reject_records
    from reconciled
    cross join file_lines
    cross join parquet_rows
    cross join reject_records
)

select *
from checked
where raw_lines <> reconciled_lines
    or n_rejected_lines < reject_records
    or (reject_records = 0 and n_rejected_lines <> 0)
