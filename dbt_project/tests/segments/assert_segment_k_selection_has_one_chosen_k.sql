-- Exactly one k is chosen, and it is the k of every segment_model row.

with

chosen as (

    select k from {{ ref('segment_k_selection') }} where is_chosen

),

model_k as (

    select count(distinct segment_id) as k from {{ ref('segment_model') }}

)

select
    (select count(*) from chosen) as chosen_rows,
    (select max(k) from chosen) as chosen_k,
    model_k.k as model_k
from model_k
where (select count(*) from chosen) <> 1
    or (select max(k) from chosen) <> model_k.k
