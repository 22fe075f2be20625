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

rejected as (

    select
        'rejected_by_parser' as reason,
        count(*) as n_lines
    from {{ ref('stg_retail__parser_rejects') }}

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
