-- Where customers went between the previous and the latest segmentation run of each store,
-- stayers included, by segment label. Read from
-- marts.segment_migrations, the one definition of migrations.
with ranked_pairs as (
    select
        m.store,
        m.to_run_id,
        row_number() over (partition by m.store order by r.run_started_at desc, m.to_run_id desc) as pair_rank
    from (select distinct
        store,
        to_run_id
    from {{ ref('segment_migrations') }}) as m
    inner join {{ ref('segmentation_runs') }} as r
        on m.store = r.store and m.to_run_id = r.model_run_id
)

select
    m.store,
    coalesce(m.from_segment_label, '(not segmented)') as from_segment,
    coalesce(m.to_segment_label, '(not segmented)') as to_segment,
    sum(m.customers) as customers
from {{ ref('segment_migrations') }} as m
inner join ranked_pairs as p
    on m.store = p.store and m.to_run_id = p.to_run_id and p.pair_rank = 1
group by m.store, from_segment, to_segment
order by m.store asc, customers desc, from_segment asc, to_segment asc
