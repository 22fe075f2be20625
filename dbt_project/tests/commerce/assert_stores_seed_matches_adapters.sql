-- The stores seed and the adapters the project builds (macro commerce_stores()) name the same
-- stores, and every store has order lines. Returns each store missing on one side.

with

seeded as (

    select store from {{ ref('stores') }}

),

adapters as (

    {% for store in commerce_stores() -%}
        select cast('{{ store }}' as {{ dbt.type_string() }}) as store
        {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

with_lines as (

    select distinct store from {{ ref('int_order_lines_unioned') }}

)

select
    coalesce(seeded.store, adapters.store) as store,
    seeded.store is not null as in_seed,
    adapters.store is not null as has_adapter,
    with_lines.store is not null as has_order_lines
from seeded
full outer join adapters
    on seeded.store = adapters.store
left join with_lines
    on coalesce(seeded.store, adapters.store) = with_lines.store
where seeded.store is null or adapters.store is null or with_lines.store is null
