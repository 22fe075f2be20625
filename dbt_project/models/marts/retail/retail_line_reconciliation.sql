-- Accounts for every raw line: raw lines = kept + excluded, one row per reason (zero rows shown).

with

reasons as (

    select * from {{ ref('retail_exclusion_reasons') }}

),

parsed as (

    select
        reason,
        sum(n_lines) as n_lines
    from {{ ref('int_invoice_line_groups_classified') }}
    group by reason

),

file_lines as (

    select * from {{ ref('int_retail_file_lines') }}

),

rejected as (

    -- CSV: every line of the file the reader did not return in a record. One reject record can
    -- cover several lines (an unclosed quote runs on to the next quote), so lines are counted
    -- from the file, not from the reject table. Parquet has no reader rejects.
    select
        'rejected_by_parser' as reason,
        coalesce(
            file_lines.n_file_lines - file_lines.n_line_breaks_in_records
                - (select coalesce(sum(n_lines), 0) from parsed),
            (select count(*) from {{ ref('stg_retail__parser_rejects') }})
        ) as n_lines
    from file_lines

),

counted as (

    select * from parsed
    union all
    select * from rejected

),

final as (

    select
        reasons.reason_order,
        reasons.line_status,
        reasons.reason,
        reasons.description,
        cast(coalesce(counted.n_lines, 0) as bigint) as n_lines,
        coalesce(counted.n_lines, 0) * 1.0 / sum(coalesce(counted.n_lines, 0)) over () as share_of_raw_lines
    from reasons
    left join counted
        on reasons.reason = counted.reason

)

select * from final
