-- Per store whose product categories are clustered from descriptions: the k tried and the k
-- chosen (int_product_category_k_selection), published with typed columns.

with

selection as (

    select * from {{ ref('int_product_category_k_selection') }}

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(k as integer) as k,
        cast(inertia as double) as inertia,
        cast(silhouette as double) as silhouette,
        cast(is_elbow as boolean) as is_elbow,
        cast(is_chosen as boolean) as is_chosen,
        cast(choice_reason as {{ dbt.type_string() }}) as choice_reason,
        cast(n_products as integer) as n_products,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id
    from selection

)

select * from final
