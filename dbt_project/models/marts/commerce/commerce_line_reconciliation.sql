-- Accounts for every raw line of every store: raw lines = kept + excluded, one row per store and
-- reason (zero rows shown).

with

reasons as (

    select * from {{ ref('retail_exclusion_reasons') }}

),

stores as (

    select distinct store from {{ ref('int_store_as_of_dates') }}

),

parsed as (

    select
        store,
        reason,
        sum(n_lines) as n_lines
    from {{ ref('int_order_lines_classified') }}
    group by store, reason

),

rejected as (

    -- lines the store's reader could not return, counted by its adapter (a reject record of a
    -- CSV reader can cover several lines of the file)
    {% for store in commerce_stores() -%}
        select
            store,
            'rejected_by_parser' as reason,
            n_rejected_lines as n_lines
        from {{ ref('stg_' ~ store ~ '__line_counts') }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}

),

counted as (

    select * from parsed
    union all
    select * from rejected

),

final as (

    select
        stores.store,
        reasons.reason_order,
        reasons.line_status,
        reasons.reason,
        reasons.description,
        cast(coalesce(counted.n_lines, 0) as bigint) as n_lines,
        cast(coalesce(counted.n_lines, 0) as double)
        / sum(coalesce(counted.n_lines, 0)) over (partition by stores.store) as share_of_raw_lines
    from stores
    cross join reasons
    left join counted
        on
            stores.store = counted.store
            and reasons.reason = counted.reason

)

select * from final
