-- Every customer's next-best products from their whole history (macros/recommendations.sql):
-- what marts.customer_recommendations publishes, with the key of the inputs each list was drawn
-- from (int_next_best_inputs) and the dbt run that computed it (load_id). Only the lists whose
-- key changed are recomputed; the others are kept as stored (on DuckDB; Spark, a full refresh
-- or a first build recompute all). A daily build thus refreshes, from the stored rules, the
-- lists of the customers who bought since (from their current lines, int_next_best_refresh_lines)
-- at the cost of those customers; the result is that of recomputing every list (tested).
{{ config(tags=['next_best_refresh']) }}
{%- set stored = stored_next_best_lists() %}
{%- set lines = ref('int_recommendation_baskets') if builds_product_side()
    else "(" ~ purchase_baskets("select * from " ~ ref('int_next_best_refresh_lines')) ~ ")" %}
-- depends_on: {{ ref('int_recommendation_baskets') }}

with

inputs as (

    select * from {{ ref('int_next_best_inputs') }}

),

{%- set history -%}
    select
        baskets.store,
        baskets.customer_id,
        baskets.order_id,
        baskets.order_date,
        baskets.product_id,
        baskets.line_value
    from {{ lines }} as baskets
    {%- if stored is not none %}
    where exists (
        select 1
        from inputs
        where
            inputs.store = baskets.store
            and inputs.customer_id = baskets.customer_id
            and inputs.is_changed
    )
    {%- endif %}
{%- endset %}

computed as (

    select * from (
        {{ next_best_products(
            history,
            ref('int_product_associations'),
            ref('int_product_popularity'),
            "select store, customer_id, segment_id from " ~ ref('int_customer_segments'),
        ) }}
    ) as lists

),

final as (

    select
        computed.store,
        computed.customer_id,
        computed.method,
        computed.recommendation_rank,
        computed.product_id,
        computed.score,
        computed.reason,
        inputs.inputs_key,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as load_id
    from computed
    left join inputs
        on
            computed.store = inputs.store
            and computed.customer_id = inputs.customer_id

    {%- if stored is not none %}

    union all

    select
        stored.store,
        stored.customer_id,
        stored.method,
        stored.recommendation_rank,
        stored.product_id,
        stored.score,
        stored.reason,
        stored.inputs_key,
        stored.load_id
    from {{ stored }} as stored
    inner join inputs
        on
            stored.store = inputs.store
            and stored.customer_id = inputs.customer_id
            and stored.inputs_key = inputs.inputs_key
    where not inputs.is_changed
    {%- endif %}

)

select * from final
