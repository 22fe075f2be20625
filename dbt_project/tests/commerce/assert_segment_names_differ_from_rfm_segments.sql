-- A customer segment's name (seed rfm_segment_rules.segment_name) is never an RFM segment's name:
-- "Champions" means the RFM cell only, and no cluster can be counted for it.
select names.segment_name
from {{ ref('rfm_segment_rules') }} as names
inner join {{ ref('rfm_segment_rules') }} as cells
    on lower(names.segment_name) = lower(cells.rfm_segment)
