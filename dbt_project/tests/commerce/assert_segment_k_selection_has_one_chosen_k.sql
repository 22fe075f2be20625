-- Per store, exactly one k is chosen, and it is the k of every segment_model row of the store.

with

chosen as (

    select
        store,
        count(*) as chosen_rows,
        max(k) as chosen_k
    from {{ ref('segment_k_selection') }}
    where is_chosen
    group by store

),

model_k as (

    select
        store,
        count(distinct segment_id) as k
    from {{ ref('segment_model') }}
    group by store

)

select
    coalesce(chosen.store, model_k.store) as store,
    chosen.chosen_rows,
    chosen.chosen_k,
    model_k.k as model_k
from chosen
full outer join model_k
    on chosen.store = model_k.store
where
    chosen.chosen_rows is distinct from 1
    or chosen.chosen_k is distinct from model_k.k
