-- Every table start_here sends a reader to exists in the warehouse it is published in.
select start_here.table_name
from {{ ref('start_here') }} as start_here
left join information_schema.tables as published
    on start_here.table_name = published.table_schema || '.' || published.table_name
where published.table_name is null
