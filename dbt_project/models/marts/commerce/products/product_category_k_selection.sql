-- Per store whose product categories are clustered from descriptions: the k tried and the k
-- chosen (int_product_category_k_selection), published with typed columns.

with

selection as (

    select * from {{ ref('int_product_category_k_selection') }}

),

final as (

    select
        {{ k_selection_columns([
            'store',
            'k',
            'inertia',
            'silhouette',
            'is_elbow',
            'is_chosen',
            'choice_reason',
            'n_products',
            'model_run_id',
        ]) }}
    from selection

)

select * from final
