-- Per store, the k = 2..10 tried for the interest segments (customers clustered on their category-
-- share vectors) and the k chosen, by the customer segments' rule.

with

source as (

    select * from {{ ref('int_interest_segmentation') }}
    where row_kind = 'k_selection'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(k as integer) as k,
        cast(inertia as double) as inertia,
        cast(silhouette as double) as silhouette,
        cast(calinski_harabasz as double) as calinski_harabasz,
        cast(davies_bouldin as double) as davies_bouldin,
        cast(is_chosen as boolean) as is_chosen,
        cast(is_elbow as boolean) as is_elbow,
        cast(choice_reason as {{ dbt.type_string() }}) as choice_reason,
        cast(n_customers as integer) as n_customers,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from source

)

select * from final
