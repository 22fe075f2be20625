{#-
    The two halves of the recommender, each one select over a purchase history, so that the
    published recommendations (every basket) and the offline evaluation (the baskets before the
    cutoff) are the same SQL over different histories.

    `history` is a select of store, customer_id, order_id, order_date, product_id, line_value (purchase
    baskets at product level); `segments` a select of store, customer_id, segment_id.
-#}

{#- The most popular products (by customers who bought them) overall, within each customer
    segment and within each product category: store, group_kind ('overall', 'segment',
    'category'), group_id (the segment or category id; 0 overall), product_id, customers, share
    (of the group's customers; for a category, of all customers), popularity_rank (1 = most
    customers, ties to the lower product id). The first `pool` of each group are kept. -#}
{% macro product_popularity(history, segments, pool=100) -%}
with

bought as (

    select distinct
        store,
        customer_id,
        product_id
    from ({{ history }}) as history

),

segments as (

    select
        store,
        customer_id,
        segment_id
    from ({{ segments }}) as segments

),

store_customers as (

    select
        store,
        count(distinct customer_id) as customers
    from bought
    group by store

),

overall as (

    select
        bought.store,
        'overall' as group_kind,
        0 as group_id,
        bought.product_id,
        count(*) as customers,
        cast(count(*) as double) / min(store_customers.customers) as share
    from bought
    inner join store_customers
        on bought.store = store_customers.store
    group by bought.store, bought.product_id

),

by_segment as (

    select
        bought.store,
        'segment' as group_kind,
        segments.segment_id as group_id,
        bought.product_id,
        count(*) as customers,
        cast(count(*) as double) / min(segment_sizes.customers) as share
    from bought
    inner join segments
        on
            bought.store = segments.store
            and bought.customer_id = segments.customer_id
    inner join (
        select
            store,
            segment_id,
            count(*) as customers
        from segments
        group by store, segment_id
    ) as segment_sizes
        on
            segments.store = segment_sizes.store
            and segments.segment_id = segment_sizes.segment_id
    group by bought.store, segments.segment_id, bought.product_id

),

by_category as (

    select
        overall.store,
        'category' as group_kind,
        categories.category_id as group_id,
        overall.product_id,
        overall.customers,
        overall.share
    from overall
    inner join {{ ref('int_product_categories') }} as categories
        on
            overall.store = categories.store
            and overall.product_id = categories.product_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by store, group_kind, group_id order by customers desc, product_id asc
        ) as popularity_rank
    from (
        select * from overall
        union all
        select * from by_segment
        union all
        select * from by_category
    ) as groups

)

select
    store,
    cast(group_kind as {{ dbt.type_string() }}) as group_kind,
    cast(group_id as integer) as group_id,
    product_id,
    cast(customers as integer) as customers,
    share,
    cast(popularity_rank as integer) as popularity_rank
from ranked
where popularity_rank <= {{ pool }}
{%- endmacro %}


{#- Each customer's next-best products: the recommendations_per_customer products they have not
    bought with the highest score, as store, customer_id, method, recommendation_rank, product_id,
    score, reason. Method 'model': products bought with theirs (association rules of
    `associations`, each product's association_max_rules_per_product strongest; score = the best
    rule's confidence, reason 'bought_with:<product>'; from their
    recommendation_max_customer_products most recently bought products, ties to those in more
    baskets, then the lower id),
    then the most popular products of their
    segment ('popular_in_segment', score = share of the segment), then of the category they spent
    most on ('popular_in_category', score = share of all customers): a product takes its best
    source, and sources rank in that order. The baselines: 'global_popularity' (the most popular
    products overall) and 'segment_popularity' (of their segment). `popularity` is a
    product_popularity over the same history. -#}
{% macro next_best_products(history, associations, popularity, segments, methods=['model']) -%}
{%- set top_n = var('recommendations_per_customer') | int -%}
{%- set max_rules = var('association_max_rules_per_product') | int -%}
{%- set max_customer_products = var('recommendation_max_customer_products') | int -%}
with

history as (

    select
        store,
        customer_id,
        order_id,
        order_date,
        product_id,
        line_value
    from ({{ history }}) as history

),

antecedents as (

    -- the products whose rules a customer's recommendations come from: the most recently bought
    -- (on the real file, a better hit rate than those in most baskets), ties to those in more
    -- baskets, then the lower product id
    select
        store,
        customer_id,
        product_id
    from (
        select
            store,
            customer_id,
            product_id,
            row_number() over (
                partition by store, customer_id
                order by max(order_date) desc, count(distinct order_id) desc, product_id asc
            ) as product_rank
        from history
        group by store, customer_id, product_id
    ) as ranked
    where product_rank <= {{ max_customer_products }}

),

bought as (

    select distinct
        store,
        customer_id,
        product_id
    from history

),

customers as (

    select distinct
        store,
        customer_id
    from history

),

segments as (

    select
        store,
        customer_id,
        segment_id
    from ({{ segments }}) as segments

),

popularity as (

    select * from {{ popularity }}

),

dominant_categories as (

    -- the category of the customer's largest spend (ties: the lower category id)
    select
        store,
        customer_id,
        category_id
    from (
        select
            history.store,
            history.customer_id,
            categories.category_id,
            row_number() over (
                partition by history.store, history.customer_id
                order by sum(history.line_value) desc, categories.category_id asc
            ) as category_rank
        from history
        inner join {{ ref('int_product_categories') }} as categories
            on
                history.store = categories.store
                and history.product_id = categories.product_id
        group by history.store, history.customer_id, categories.category_id
    ) as ranked
    where category_rank = 1

),

rules as (

    select
        store,
        antecedent_product_id,
        consequent_product_id,
        confidence,
        lift
    from (
        select
            *,
            row_number() over (
                partition by store, antecedent_product_id
                order by confidence desc, lift desc, consequent_product_id asc
            ) as rule_rank
        from {{ associations }}
    ) as ranked
    where rule_rank <= {{ max_rules }}

),

candidates as (

    {%- set parts = [] %}
    {%- if 'model' in methods %}
        {%- set rule_candidates %}
    select
        antecedents.store,
        antecedents.customer_id,
        'model' as method,
        1 as source_order,
        rules.consequent_product_id as product_id,
        rules.confidence as score,
        'bought_with:' || rules.antecedent_product_id as reason,
        rules.lift as tie_break
    from antecedents
    inner join rules
        on
            antecedents.store = rules.store
            and antecedents.product_id = rules.antecedent_product_id
        {%- endset %}
        {%- do parts.append(rule_candidates) %}
        {%- do parts.append(popular_candidates(
            'segments', 'segment', 'segments.segment_id', 'model', 2, 'popular_in_segment')) %}
        {%- do parts.append(popular_candidates(
            'dominant_categories', 'category', 'dominant_categories.category_id', 'model', 3,
            'popular_in_category')) %}
    {%- endif %}
    {%- if 'global_popularity' in methods %}
        {%- do parts.append(popular_candidates(
            'customers', 'overall', '0', 'global_popularity', 1, 'popular_overall')) %}
    {%- endif %}
    {%- if 'segment_popularity' in methods %}
        {%- do parts.append(popular_candidates(
            'segments', 'segment', 'segments.segment_id', 'segment_popularity', 1,
            'popular_in_segment')) %}
    {%- endif %}
    {{ parts | join('\n\n    union all\n') }}

),

unbought as (

    select candidates.*
    from candidates
    inner join customers
        on
            candidates.store = customers.store
            and candidates.customer_id = customers.customer_id
    left join bought
        on
            candidates.store = bought.store
            and candidates.customer_id = bought.customer_id
            and candidates.product_id = bought.product_id
    where bought.product_id is null

),

best_source as (

    -- each product once per customer and method: its first source, its best score there
    select *
    from (
        select
            *,
            row_number() over (
                partition by store, customer_id, method, product_id
                order by source_order asc, score desc, tie_break desc, reason asc
            ) as source_rank
        from unbought
    ) as ranked
    where source_rank = 1

),

ranked as (

    select
        *,
        row_number() over (
            partition by store, customer_id, method
            order by source_order asc, score desc, tie_break desc, product_id asc
        ) as recommendation_rank
    from best_source

)

select
    store,
    customer_id,
    cast(method as {{ dbt.type_string() }}) as method,
    cast(recommendation_rank as integer) as recommendation_rank,
    product_id,
    cast(score as double) as score,
    cast(reason as {{ dbt.type_string() }}) as reason
from ranked
where recommendation_rank <= {{ top_n }}
{%- endmacro %}


{#- One source of next_best_products' candidates: for each customer of the CTE `groups`, the
    products of its popularity group (`group_kind`, the group id in `group_column`), scored by
    their share. -#}
{% macro popular_candidates(groups, group_kind, group_column, method, source_order, reason) -%}
    select
        {{ groups }}.store,
        {{ groups }}.customer_id,
        '{{ method }}' as method,
        {{ source_order }} as source_order,
        popularity.product_id,
        popularity.share as score,
        '{{ reason }}' as reason,
        0 as tie_break
    from {{ groups }}
    inner join popularity
        on
            {{ groups }}.store = popularity.store
            and popularity.group_kind = '{{ group_kind }}'
            and {{ group_column }} = popularity.group_id
{%- endmacro %}
