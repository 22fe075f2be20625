-- One row describing this dbt invocation's student segmentation run: its id, start time and the
-- forced k (var `student_segment_k`; null = choose k from the data). Independent of any store.

with

final as (

    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as model_run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as run_started_at,
        cast({{ var('student_segment_k') if var('student_segment_k', none) is not none else 'null' }} as integer)
            as forced_k
)

select * from final
