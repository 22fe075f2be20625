-- Rules of int_segment_rules (Python), per store, published with typed columns.

with

rules as (

    select * from {{ ref('int_segment_rules') }}

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(rule_id as integer) as rule_id,
        cast(segment_id as integer) as segment_id,
        cast(segment_label as {{ dbt.type_string() }}) as segment_label,
        cast(conditions as {{ dbt.type_string() }}) as conditions,
        cast(rule as {{ dbt.type_string() }}) as rule,
        cast(customers as integer) as customers,
        cast(share_in_segment as double) as share_in_segment,
        cast(tree_agreement as double) as tree_agreement,
        cast(recency_days_gt as double) as recency_days_gt,
        cast(recency_days_le as double) as recency_days_le,
        cast(frequency_gt as double) as frequency_gt,
        cast(frequency_le as double) as frequency_le,
        cast(monetary_gt as double) as monetary_gt,
        cast(monetary_le as double) as monetary_le,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from rules

)

select * from final
