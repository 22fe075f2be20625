-- Per store and customer, a key of everything their next-best products are drawn from: their
-- orders (lines, purchases, value, last purchase), their segment, the store's product side (rules,
-- popularity lists, categories: rebuilt when a store refits), the recommender's code and
-- settings; and whether it differs from the key their stored list was drawn from
-- (int_customer_recommendations as the last build left it). A daily build recomputes the lists of
-- the customers whose key changed (they bought since, or changed segment) and keeps the others.
{{ config(tags=['next_best_refresh']) }}
{%- set stored = stored_next_best_lists() %}
{%- set settings = [
    local_md5(project_code_texts(graph.nodes.get('model.' ~ project_name ~ '.int_customer_recommendations', model)) | join('\n')),
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

inputs as (

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
    where totals.has_purchases

),

{%- if stored is not none %}

stored_keys as (

    select distinct
        store,
        customer_id,
        inputs_key
    from {{ stored }}

),

{%- endif %}

final as (

    select
        inputs.store,
        inputs.customer_id,
        inputs.inputs_key,
        {% if stored is not none -%}
            stored_keys.inputs_key is null
        {%- else -%}
            true
        {%- endif %} as is_changed
    from inputs
    {%- if stored is not none %}
    left join stored_keys
        on
            inputs.store = stored_keys.store
            and inputs.customer_id = stored_keys.customer_id
            and inputs.inputs_key = stored_keys.inputs_key
    {%- endif %}

)

select * from final
