-- depends_on: {{ ref('int_invoice_line_groups') }}

with

source as (

    select * from {{ source('retail_load', 'parser_rejects') }}

),

final as (

    select
        line_number,
        min(error_type) as error_type,
        {{ dbt.listagg('error_message', "'; '", 'order by column_name') }} as error_message,
        min(raw_line) as raw_line
    from source
    group by line_number

)

select * from final
