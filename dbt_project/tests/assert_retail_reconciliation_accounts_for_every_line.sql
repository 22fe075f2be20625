-- raw lines = kept + excluded: the reconciliation must count every line of the raw file, parsed
-- or rejected by the CSV reader, each exactly once. Returns a row when the totals disagree.
with

reconciled as (
    select sum(n_lines) as n_lines from {{ ref('retail_line_reconciliation') }}
),

raw as (
    select
        (select count(*) from {{ source('retail', 'invoice_lines') }})
        + (select count(*) from {{ ref('stg_retail__parser_rejects') }}) as n_lines
)

select
    raw.n_lines as raw_lines,
    reconciled.n_lines as reconciled_lines
from raw
cross join reconciled
where raw.n_lines <> reconciled.n_lines
