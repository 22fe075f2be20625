{{ config(enabled='olist' in commerce_stores()) }}
-- Every raw row of every Olist file is in exactly one row of olist_file_reconciliation: per file,
-- the reasons sum to the file's raw rows counted apart from the loads. Returns each file that
-- does not add up.

with

reconciled as (

    select
        source_table,
        sum(n_rows) as n_rows
    from {{ ref('olist_file_reconciliation') }}
    group by source_table

),

files as (

    select * from {{ ref('stg_olist__file_line_counts') }}

)

select
    coalesce(files.source_table, reconciled.source_table) as source_table,
    files.n_raw_rows,
    reconciled.n_rows as reconciled_rows
from files
full outer join reconciled
    on files.source_table = reconciled.source_table
where files.n_raw_rows is distinct from coalesce(reconciled.n_rows, 0)
