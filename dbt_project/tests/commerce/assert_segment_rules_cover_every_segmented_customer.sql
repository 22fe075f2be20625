-- Per store, the rule leaves partition the segmented customers: applying each leaf's bounds in SQL puts
-- every customer in exactly one leaf, and the leaf counts match.

with

rules as (

    select * from {{ ref('segment_rules') }}

),

segments as (

    select * from {{ ref('customer_segments') }}

),

matched as (

    select
        segments.store,
        segments.customer_id,
        rules.rule_id
    from segments
    inner join rules
        on
            segments.store = rules.store
            and (rules.recency_days_gt is null or segments.recency_days > rules.recency_days_gt)
            and (rules.recency_days_le is null or segments.recency_days <= rules.recency_days_le)
            and (rules.frequency_gt is null or segments.frequency > rules.frequency_gt)
            and (rules.frequency_le is null or segments.frequency <= rules.frequency_le)
            and (rules.monetary_gt is null or segments.monetary > rules.monetary_gt)
            and (rules.monetary_le is null or segments.monetary <= rules.monetary_le)

),

per_customer as (

    select
        store,
        customer_id,
        count(*) as leaves
    from matched
    group by store, customer_id

),

per_rule as (

    select
        store,
        rule_id,
        count(*) as customers
    from matched
    group by store, rule_id

)

select
    'customer in no leaf or several' as problem,
    cast(segments.customer_id as string) as item
from segments
left join per_customer
    on
        segments.store = per_customer.store
        and segments.customer_id = per_customer.customer_id
where coalesce(per_customer.leaves, 0) <> 1

union all

select
    'leaf count differs' as problem,
    cast(rules.rule_id as string) as item
from rules
left join per_rule
    on
        rules.store = per_rule.store
        and rules.rule_id = per_rule.rule_id
where coalesce(per_rule.customers, 0) <> rules.customers
