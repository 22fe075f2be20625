-- One row per store describing this dbt invocation's customer segmentation run: its id, start
-- time, the store's as-of date and the forced k (var `segment_k`; null = choose k from the data).

with

as_of as (

    select
        store,
        as_of_date
    from {{ ref('int_store_as_of_dates') }}

),

final as (

    select
        as_of.store,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as model_run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }}) as run_started_at,
        as_of.as_of_date,
        cast({{ var('segment_k') if var('segment_k', none) is not none else 'null' }} as integer) as forced_k
    from as_of

)

select * from final
