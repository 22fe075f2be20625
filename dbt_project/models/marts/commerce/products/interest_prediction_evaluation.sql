-- Per store, how well a new customer's dominant product category is predicted from their first
-- order alone: two fitted models (model, basket_ranker) and two baselines (the training set's
-- majority category; the first basket's dominant category), scored on the customers whose first
-- order falls in the last three months of the data, never seen in training; which method is
-- served (marts.interest_model) and why.

with

source as (

    select * from {{ ref('int_interest_prediction') }}
    where row_kind = 'evaluation'

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(method as {{ dbt.type_string() }}) as method,
        cast(accuracy as double) as accuracy,
        cast(balanced_accuracy as double) as balanced_accuracy,
        cast(macro_f1 as double) as macro_f1,
        cast(n_train as integer) as n_train,
        cast(n_test as integer) as n_test,
        cast(cutoff as date) as cutoff,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id,
        cast(method_kind as {{ dbt.type_string() }}) as method_kind,
        cast(is_served as boolean) as is_served,
        cast(decision as {{ dbt.type_string() }}) as decision
    from source

)

select * from final
