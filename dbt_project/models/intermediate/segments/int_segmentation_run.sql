-- One row describing this dbt invocation's segmentation run: its id, start time, as-of date and
-- the forced k of customers and of students (vars `segment_k`, `student_segment_k`; null = choose
-- k from the data).

with

as_of as (

    select as_of_date from {{ ref('int_retail_as_of_date') }}

),

final as (

    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as model_run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as run_started_at,
        as_of.as_of_date,
        cast({{ var('segment_k') if var('segment_k', none) is not none else 'null' }} as integer) as forced_k,
        cast({{ var('student_segment_k') if var('student_segment_k', none) is not none else 'null' }} as integer) as forced_student_k
    from as_of

)

select * from final
