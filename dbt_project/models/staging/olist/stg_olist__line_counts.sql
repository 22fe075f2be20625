-- One row: the store's raw lines for the commerce reconciliation. An Olist order is one raw line
-- (its items, payments and reviews are accounted for per file in olist_source_reconciliation).

with

orders as (

    select * from {{ ref('stg_olist__file_line_counts') }}
    where source_table = 'orders'

),

final as (

    select
        cast('olist' as {{ dbt.type_string() }}) as store,
        cast(null as {{ dbt.type_bigint() }}) as n_file_lines,
        cast(null as {{ dbt.type_bigint() }}) as n_line_breaks_in_records,
        n_raw_rows as n_raw_lines,
        n_parsed_rows as n_parsed_lines,
        n_reject_records,
        n_rejected_rows as n_rejected_lines
    from orders

)

select * from final
