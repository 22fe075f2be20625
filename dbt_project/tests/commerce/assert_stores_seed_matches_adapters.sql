-- Every store this build includes (macro commerce_stores(): its adapter is built) has a row in
-- the stores seed and order lines. Returns each store that has not.

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
    adapters.store,
    seeded.store is not null as in_seed,
    with_lines.store is not null as has_order_lines
from adapters
left join seeded
    on adapters.store = seeded.store
left join with_lines
    on adapters.store = with_lines.store
where seeded.store is null or with_lines.store is null
