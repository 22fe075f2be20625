-- depends_on: {{ ref('stg_lms__enrollments') }}

-- Lines of the LMS export that the CSV reader could not split: one row per line.

with

source as (

    select * from {{ source('lms_load', 'enrollments_parser_rejects') }}

),

final as (

    select
        'lms_enrollments' as source_table,
        line_number,
        min(error_type) as error_type,
        {{ dbt.listagg('error_message', "'; '", 'order by column_name') }} as error_message,
        min(raw_line) as raw_line
    from source
    group by line_number

)

select * from final
