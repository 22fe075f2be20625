-- Every store with an interest evaluation serves exactly one method, and marts.interest_model
-- stores that method: fails on each store where the two disagree.

with

served as (

    select
        store,
        count(case when is_served then 1 end) as n_served,
        max(case when is_served then method end) as served_method
    from {{ ref('interest_prediction_evaluation') }}
    group by store

),

final as (

    select
        served.store,
        served.n_served,
        served.served_method,
        stored.method as stored_method
    from served
    left join {{ ref('interest_model') }} as stored
        on served.store = stored.store
    where
        served.n_served <> 1
        or stored.method is null
        or stored.method <> served.served_method

)

select * from final
