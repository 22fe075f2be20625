-- Renamed to commerce_line_reconciliation: this view keeps the old name for one release
-- (docs/architecture.md, "Renamed").
{{ config(materialized='view') }}

select
    store,
    reason_order,
    line_status,
    reason,
    description,
    n_lines,
    share_of_raw_lines
from {{ ref('commerce_line_reconciliation') }}
