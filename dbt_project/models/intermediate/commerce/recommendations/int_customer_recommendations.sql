-- Every customer's next-best products from their whole history (macros/recommendations.sql):
-- what marts.customer_recommendations publishes. Each customer's list is stored with a key of
-- everything it is drawn from: the customer's orders (lines, purchases, value, last purchase),
-- their segment, the store's product side (rules, popularity lists, categories: rebuilt when a
-- store refits), the recommender's code and settings. A build recomputes the lists whose key
-- changed and keeps the others as stored (on DuckDB; Spark recomputes all), so a daily build
-- refreshes every customer who bought since the last one from the stored rules, at the cost of
-- those customers; the result is the same as recomputing every list (tested). load_id: the dbt
-- invocation that computed the list.
{{ config(tags=['next_best_refresh']) }}
{%- set stored = none %}
{%- if execute and target.type != 'spark' and not flags.FULL_REFRESH %}
    {%- set relation = load_relation(this) %}
    {%- if relation is not none and ['inputs_key', 'load_id'] | reject('in',
        adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list)
        | list | length == 0 %}
        {%- set stored = relation %}
    {%- endif %}
{%- endif %}
{%- set settings = [
    local_md5(project_code_texts(model) | join('\n')),
    var('recommendations_per_customer'), var('association_max_rules_per_product'),
    var('recommendation_max_customer_products'),
] | join('|') %}

with

rule_figures as (

    select
        store,
        count(*) as n_rules,
        round(sum(confidence), 6) as confidence_sum
    from {{ ref('int_product_associations') }}
    group by store

),

popularity_figures as (

    select
        store,
        count(*) as n_entries,
        sum(customers * popularity_rank) as customers_sum
    from {{ ref('int_product_popularity') }}
    group by store

),

category_figures as (

    select
        store,
        count(*) as n_products,
        sum(category_id) as category_sum
    from {{ ref('int_product_categories') }}
    group by store

),

product_sides as (

    -- a store's product side in a few figures: any rebuild that changes it changes them
    select
        coalesce(rule_figures.store, popularity_figures.store, category_figures.store) as store,
        concat_ws(
            '|',
            cast(rule_figures.n_rules as {{ dbt.type_string() }}),
            cast(rule_figures.confidence_sum as {{ dbt.type_string() }}),
            cast(popularity_figures.n_entries as {{ dbt.type_string() }}),
            cast(popularity_figures.customers_sum as {{ dbt.type_string() }}),
            cast(category_figures.n_products as {{ dbt.type_string() }}),
            cast(category_figures.category_sum as {{ dbt.type_string() }})
        ) as product_side_figures
    from rule_figures
    full outer join popularity_figures
        on rule_figures.store = popularity_figures.store
    full outer join category_figures
        on coalesce(rule_figures.store, popularity_figures.store) = category_figures.store

),

customer_inputs as (

    select
        totals.store,
        totals.customer_id,
        {{ dbt.hash("concat_ws('|', '" ~ settings ~ "', "
            ~ "coalesce(product_sides.product_side_figures, ''), "
            ~ "cast(totals.n_lines as " ~ dbt.type_string() ~ "), "
            ~ "cast(totals.frequency as " ~ dbt.type_string() ~ "), "
            ~ "cast(round(totals.purchase_value, 2) as " ~ dbt.type_string() ~ "), "
            ~ "coalesce(cast(totals.last_purchase_date as " ~ dbt.type_string() ~ "), ''), "
            ~ "coalesce(cast(segments.segment_id as " ~ dbt.type_string() ~ "), ''))") }}
            as inputs_key
    from {{ ref('int_customer_order_totals') }} as totals
    left join {{ ref('int_customer_segments') }} as segments
        on
            totals.store = segments.store
            and totals.customer_id = segments.customer_id
    left join product_sides
        on totals.store = product_sides.store

),

{%- set history -%}
    select
        baskets.store,
        baskets.customer_id,
        baskets.order_id,
        baskets.order_date,
        baskets.product_id,
        baskets.line_value
    from {{ ref('int_purchase_baskets') }} as baskets
    {%- if stored is not none %}
    where not exists (
        select 1
        from kept_customers
        where
            kept_customers.store = baskets.store
            and kept_customers.customer_id = baskets.customer_id
    )
    {%- endif %}
{%- endset %}

{%- if stored is not none %}

kept_customers as (

    -- the customers whose stored list was drawn from the same inputs
    select customer_inputs.store, customer_inputs.customer_id
    from customer_inputs
    inner join (select distinct store, customer_id, inputs_key from {{ stored }}) as stored
        on
            customer_inputs.store = stored.store
            and customer_inputs.customer_id = stored.customer_id
            and customer_inputs.inputs_key = stored.inputs_key

),

{%- endif %}

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
        customer_inputs.inputs_key,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as load_id
    from computed
    left join customer_inputs
        on
            computed.store = customer_inputs.store
            and computed.customer_id = customer_inputs.customer_id

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
    inner join kept_customers
        on
            stored.store = kept_customers.store
            and stored.customer_id = kept_customers.customer_id
    {%- endif %}

)

select * from final
