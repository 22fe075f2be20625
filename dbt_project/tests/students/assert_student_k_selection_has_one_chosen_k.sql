-- Exactly one student k is chosen, it is the number of student segments, and their labels differ.

with

chosen as (

    select k from {{ ref('student_k_selection') }}
    where is_chosen

),

segments as (

    select
        count(distinct segment_id) as n_segments,
        count(distinct segment_label) as n_labels
    from {{ ref('student_segments') }}

)

select
    (select count(*) as n_chosen from chosen) as chosen_rows,
    (select max(chosen.k) as chosen_k from chosen) as chosen_k,
    segments.n_segments,
    segments.n_labels
from segments
where
    (select count(*) as n_chosen from chosen) <> 1
    or (select max(chosen.k) as chosen_k from chosen) <> segments.n_segments
    or segments.n_labels <> segments.n_segments
