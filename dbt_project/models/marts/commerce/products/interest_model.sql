-- Per store, the product-interest predictor the API serves: the method the time split chose
-- (interest_prediction_evaluation.is_served) and why, fitted by the build on every customer's
-- first order; the fitted estimator pickled (null for a baseline, which fits nothing) and the
-- scikit-learn version a reader must run to load it.

with

source as (

    select * from {{ ref('int_interest_model') }}

),

final as (

    select
        cast(store as {{ dbt.type_string() }}) as store,
        cast(method as {{ dbt.type_string() }}) as method,
        cast(method_kind as {{ dbt.type_string() }}) as method_kind,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(model_blob as binary) as model_blob,
        cast(sklearn_version as {{ dbt.type_string() }}) as sklearn_version,
        cast(majority_category_id as integer) as majority_category_id,
        cast(n_train as integer) as n_train,
        cast(n_customers as integer) as n_customers,
        cast(model_run_id as {{ dbt.type_string() }}) as model_run_id,
        cast(fitted_at as {{ dbt.type_timestamp() }}) as fitted_at
    from source

)

select * from final
