-- A customer segment (a cluster) is never labelled with an RFM segment's name, bare, qualified or
-- numbered: "Champions" names the RFM cell only (seed rfm_segment_rules.segment_name).
select
    model.store,
    model.segment_id,
    model.segment_label
from {{ ref('segment_model') }} as model
inner join {{ ref('rfm_segment_rules') }} as rules
    on
        model.segment_label = rules.rfm_segment
        or model.segment_label like rules.rfm_segment || ' (%'
        or model.segment_label like rules.rfm_segment || ' #%'
