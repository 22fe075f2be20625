-- One row per store and customer: recency, frequency and monetary as of the store's
-- `as_of_date`, their 1-5 scores within the store and the named RFM segment. Definitions are in
-- _commerce__marts.yml.

with

totals as (

    -- per customer: the purchases and returns as of the as-of date (int_customer_order_totals,
    -- updated only for the customers a build's lines touch)
    select * from {{ ref('int_customer_order_totals') }}

),

as_of as (

    select
        store,
        as_of_date
    from {{ ref('int_store_as_of_dates') }}

),

segment_rules as (

    select * from {{ ref('rfm_segment_rules') }}

),

measured as (

    select
        totals.store,
        totals.customer_id,
        totals.country,
        as_of.as_of_date,
        totals.first_purchase_date,
        totals.last_purchase_date,
        {{ dbt.datediff('totals.last_purchase_date', 'as_of.as_of_date', 'day') }} as recency_days, -- noqa: LT05
        {{ dbt.datediff('totals.first_purchase_date', 'as_of.as_of_date', 'day') }} as tenure_days, -- noqa: LT05
        totals.frequency,
        totals.purchase_value,
        totals.returned_value,
        totals.n_returns,
        totals.purchase_value - totals.returned_value as monetary,
        totals.has_purchases,
        totals.has_cancellations and not totals.has_purchases as is_cancellation_only
    from totals
    inner join as_of
        on totals.store = as_of.store

),

scored as (

    -- percent_rank gives equal values equal ranks, so equal values always get equal scores
    select
        store,
        customer_id,
        least(5, 1 + floor(5 * percent_rank() over (partition by store order by recency_days desc))) as r_score,
        least(5, 1 + floor(5 * percent_rank() over (partition by store order by frequency))) as f_score,
        least(5, 1 + floor(5 * percent_rank() over (partition by store order by monetary))) as m_score
    from measured
    where has_purchases

),

segmented as (

    -- first matching rule wins (the rule seed is tested to cover every R x F cell once)
    select
        store,
        customer_id,
        rfm_segment
    from (
        select
            scored.store,
            scored.customer_id,
            segment_rules.rfm_segment,
            row_number() over (
                partition by scored.store, scored.customer_id order by segment_rules.rule_order
            ) as rule_rank
        from scored
        inner join segment_rules
            on
                scored.r_score between segment_rules.r_min and segment_rules.r_max
                and scored.f_score between segment_rules.f_min and segment_rules.f_max
    ) as matched
    where rule_rank = 1

),

final as (

    select
        measured.store,
        measured.customer_id,
        measured.country,
        measured.as_of_date,
        measured.first_purchase_date,
        measured.last_purchase_date,
        cast(measured.recency_days as integer) as recency_days,
        cast(measured.tenure_days as integer) as tenure_days,
        cast(measured.frequency as integer) as frequency,
        cast(measured.monetary as double) as monetary,
        cast(measured.purchase_value as double) as purchase_value,
        cast(measured.returned_value as double) as returned_value,
        cast(measured.n_returns as integer) as n_returns,
        -- a double before dividing: Spark rounds a decimal quotient to 6 places
        case
            when measured.frequency > 0
                then cast(measured.purchase_value as double) / measured.frequency
        end as avg_order_value,
        measured.has_purchases,
        measured.is_cancellation_only,
        cast(scored.r_score as integer) as r_score,
        cast(scored.f_score as integer) as f_score,
        cast(scored.m_score as integer) as m_score,
        segmented.rfm_segment
    from measured
    left join scored
        on
            measured.store = scored.store
            and measured.customer_id = scored.customer_id
    left join segmented
        on
            measured.store = segmented.store
            and measured.customer_id = segmented.customer_id

)

select * from final
