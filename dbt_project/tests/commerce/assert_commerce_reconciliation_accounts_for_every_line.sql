-- raw lines = kept + excluded, per store: the reconciliation must count every raw line of the
-- store, parsed or rejected by the reader, each exactly once. Returns a row when the counts
-- disagree: the total is not the store's own count of raw lines (its adapter's line_counts:
-- the file's lines for CSV, rows for Parquet), or lines are counted as rejected without a
-- reject record of the reader to show for them (lines lost silently), or reject records exist
-- and no line is counted as rejected.
with

reconciled as (
    select
        store,
        sum(n_lines) as n_lines,
        sum(case when reason = 'rejected_by_parser' then n_lines else 0 end) as n_rejected_lines
    from {{ ref('commerce_line_reconciliation') }}
    group by store
),

line_counts as (
    {% for store in commerce_stores() -%}
        select
            store,
            n_raw_lines,
            n_reject_records
        from {{ ref('stg_' ~ store ~ '__line_counts') }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

checked as (
    select
        coalesce(reconciled.store, line_counts.store) as store,
        line_counts.n_raw_lines,
        reconciled.n_lines as reconciled_lines,
        reconciled.n_rejected_lines,
        line_counts.n_reject_records
    from reconciled
    full outer join line_counts
        on reconciled.store = line_counts.store
)

select *
from checked
where
    n_raw_lines is distinct from reconciled_lines
    or n_rejected_lines < n_reject_records
    or (n_reject_records = 0 and n_rejected_lines <> 0)
