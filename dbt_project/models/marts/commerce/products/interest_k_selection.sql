-- Per store, the k = 2..10 tried for the interest segments (customers clustered on their category-
-- share vectors) and the k chosen, by the customer segments' rule.

with

source as (

    select * from {{ ref('int_interest_segmentation') }}
    where row_kind = 'k_selection'

),

final as (

    select
        {{ k_selection_columns([
            'store',
            'k',
            'inertia',
            'silhouette',
            'calinski_harabasz',
            'davies_bouldin',
            'is_chosen',
            'is_elbow',
            'choice_reason',
            'n_customers',
            'model_run_id',
        ]) }}
    from source

)

select * from final
