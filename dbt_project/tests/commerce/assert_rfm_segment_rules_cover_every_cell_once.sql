-- Every R x F cell (1..5 x 1..5) must be matched by exactly one rule of the rfm_segment_rules seed.
-- Returns the cells matched zero times or more than once.

with

scores as (

    select 1 as score
    union all
    select 2 as score
    union all
    select 3 as score
    union all
    select 4 as score
    union all
    select 5 as score

),

cells as (

    select
        r.score as r_score,
        f.score as f_score
    from scores as r
    cross join scores as f

),

matches as (

    select
        cells.r_score,
        cells.f_score,
        count(rules.rule_order) as n_rules
    from cells
    left join {{ ref('rfm_segment_rules') }} as rules
        on
            cells.r_score between rules.r_min and rules.r_max
            and cells.f_score between rules.f_min and rules.f_max
    group by cells.r_score, cells.f_score

)

select * from matches
where n_rules <> 1
