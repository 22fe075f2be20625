-- depends_on: {{ ref('stg_crm__contacts') }}
-- depends_on: {{ ref('stg_crm__opportunities') }}

-- Lines of the two CRM exports that the CSV reader could not split: one row per file and line.

with

contacts as (

    select * from {{ source('crm_load', 'crm_contacts_parser_rejects') }}

),

opportunities as (

    select * from {{ source('crm_load', 'crm_opportunities_parser_rejects') }}

),

unioned as (

    select 'crm_contacts' as source_table, * from contacts
    union all
    select 'crm_opportunities' as source_table, * from opportunities

),

final as (

    select
        source_table,
        line_number,
        min(error_type) as error_type,
        {{ dbt.listagg('error_message', "'; '", 'order by column_name') }} as error_message,
        min(raw_line) as raw_line
    from unioned
    group by source_table, line_number

)

select * from final
