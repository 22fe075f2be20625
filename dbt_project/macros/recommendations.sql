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
    product_popularity over the same history.

    The work grows with the customers' own products, never with customers x popular products: a
    popularity list is read for a customer only as deep as the customer needs (the products still
    missing from their list, plus those of the list they cannot take: bought, or already their
    rules' candidates), and a category list is cut, once per segment, by the products of that
    segment's list (which take their segment source). The result is the same as ranking every
    candidate of every source. -#}
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

customer_products as (

    -- each product a customer bought: when last, in how many orders (counted from the distinct
    -- orders: a distinct count per customer and product would hold every set in memory)
    select
        store,
        customer_id,
        product_id,
        max(last_order_date) as last_order_date,
        count(*) as n_orders
    from (
        select
            store,
            customer_id,
            product_id,
            order_id,
            max(order_date) as last_order_date
        from history
        group by store, customer_id, product_id, order_id
    ) as orders
    group by store, customer_id, product_id

),

bought as (

    select
        store,
        customer_id,
        product_id
    from customer_products

),

customers as (

    -- each customer with history, with their segment (null without one)
    select
        customers.store,
        customers.customer_id,
        segments.segment_id
    from (select distinct store, customer_id from customer_products) as customers
    left join ({{ segments }}) as segments
        on
            customers.store = segments.store
            and customers.customer_id = segments.customer_id

),

popularity as (

    select * from {{ popularity }}

),

{%- if 'model' in methods %}

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
                order by last_order_date desc, n_orders desc, product_id asc
            ) as product_rank
        from customer_products
    ) as ranked
    where product_rank <= {{ max_customer_products }}

),

rules as (

    -- each product's strongest rules, each with its rank among the rules of its consequent (the
    -- order a customer's candidates of one product are chosen in: confidence, lift, reason)
    select
        *,
        row_number() over (
            partition by store, consequent_product_id
            order by confidence desc, lift desc, 'bought_with:' || antecedent_product_id asc
        ) as consequent_rank,
        -- a small integer per consequent product: the candidates are grouped by it
        dense_rank() over (order by store asc, consequent_product_id asc) as consequent_key
    from (
        select
            store,
            antecedent_product_id,
            consequent_product_id,
            confidence,
            lift,
            row_number() over (
                partition by store, antecedent_product_id
                order by confidence desc, lift desc, consequent_product_id asc
            ) as rule_rank
        from {{ associations }}
    ) as ranked
    where rule_rank <= {{ max_rules }}

),

rule_candidates as (

    -- each product the customer's rules offer and they have not bought, once: its best rule,
    -- found by the smallest consequent rank (an aggregate on integers, not a window over every
    -- candidate); what they bought is left out after, once per product rather than per rule
    select
        best.store,
        best.customer_id,
        rules.consequent_product_id as product_id,
        rules.confidence as score,
        'bought_with:' || rules.antecedent_product_id as reason,
        rules.lift as tie_break
    from (
        select
            antecedents.store,
            antecedents.customer_id,
            rules.consequent_key,
            min(rules.consequent_rank) as consequent_rank
        from antecedents
        inner join rules
            on
                antecedents.store = rules.store
                and antecedents.product_id = rules.antecedent_product_id
        group by antecedents.store, antecedents.customer_id, rules.consequent_key
    ) as best
    inner join rules
        on
            best.consequent_key = rules.consequent_key
            and best.consequent_rank = rules.consequent_rank
    left join bought
        on
            best.store = bought.store
            and best.customer_id = bought.customer_id
            and rules.consequent_product_id = bought.product_id
    where bought.product_id is null

),

rule_picks as (

    select
        store,
        customer_id,
        product_id,
        score,
        reason,
        tie_break,
        rule_rank as list_rank
    from (
        select
            *,
            row_number() over (
                partition by store, customer_id
                order by score desc, tie_break desc, product_id asc
            ) as rule_rank
        from rule_candidates
    ) as ranked
    where rule_rank <= {{ top_n }}

),

rule_counts as (

    select
        store,
        customer_id,
        count(*) as n_picks
    from rule_picks
    group by store, customer_id

),

not_from_lists as (

    -- what a customer of the model cannot take from a popularity list: what they bought, and
    -- their rules' candidates (their rule source comes first); those matter only to a customer
    -- with fewer than recommendations_per_customer candidates, all of them picked
    select store, customer_id, product_id from bought
    union all
    select store, customer_id, product_id from rule_picks

),

segment_lists as (

    select
        store,
        cast(group_id as {{ dbt.type_string() }}) as list_key,
        product_id,
        share,
        popularity_rank as list_rank
    from popularity
    where group_kind = 'segment'

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

category_lists as (

    -- each category's list without the products of a segment's list, for every segment (and for
    -- customers without one, whole): keyed '<segment id>:<category id>'
    select
        store,
        list_key,
        product_id,
        share,
        row_number() over (partition by store, list_key order by popularity_rank asc) as list_rank
    from (
        select
            categories.store,
            coalesce(cast(segment_keys.segment_id as {{ dbt.type_string() }}), '')
            || ':' || cast(categories.group_id as {{ dbt.type_string() }}) as list_key,
            categories.product_id,
            categories.share,
            categories.popularity_rank
        from popularity as categories
        inner join (select distinct store, segment_id from customers) as segment_keys
            on categories.store = segment_keys.store
        left join popularity as in_segment
            on
                categories.store = in_segment.store
                and in_segment.group_kind = 'segment'
                and segment_keys.segment_id = in_segment.group_id
                and categories.product_id = in_segment.product_id
        where categories.group_kind = 'category' and in_segment.product_id is null
    ) as cut

),

segment_needs as (

    select
        customers.store,
        customers.customer_id,
        cast(customers.segment_id as {{ dbt.type_string() }}) as list_key,
        {{ top_n }} - coalesce(rule_counts.n_picks, 0) as needed
    from customers
    left join rule_counts
        on
            customers.store = rule_counts.store
            and customers.customer_id = rule_counts.customer_id
    where customers.segment_id is not null and coalesce(rule_counts.n_picks, 0) < {{ top_n }}

),

segment_picks as (

    {{ list_picks('segment_needs', 'segment_lists', 'not_from_lists') }}

),

category_needs as (

    select
        customers.store,
        customers.customer_id,
        coalesce(cast(customers.segment_id as {{ dbt.type_string() }}), '')
        || ':' || cast(dominant_categories.category_id as {{ dbt.type_string() }}) as list_key,
        {{ top_n }} - coalesce(rule_counts.n_picks, 0) - coalesce(segment_counts.n_picks, 0)
            as needed
    from customers
    inner join dominant_categories
        on
            customers.store = dominant_categories.store
            and customers.customer_id = dominant_categories.customer_id
    left join rule_counts
        on
            customers.store = rule_counts.store
            and customers.customer_id = rule_counts.customer_id
    left join (
        select
            store,
            customer_id,
            count(*) as n_picks
        from segment_picks
        group by store, customer_id
    ) as segment_counts
        on
            customers.store = segment_counts.store
            and customers.customer_id = segment_counts.customer_id
    where {{ top_n }} - coalesce(rule_counts.n_picks, 0) - coalesce(segment_counts.n_picks, 0) > 0

),

category_picks as (

    {{ list_picks('category_needs', 'category_lists', 'not_from_lists') }}

),

{%- endif %}

{%- if 'global_popularity' in methods or 'segment_popularity' in methods %}

baseline_lists as (

    select
        store,
        group_kind || ':' || cast(group_id as {{ dbt.type_string() }}) as list_key,
        product_id,
        share,
        popularity_rank as list_rank
    from popularity
    where group_kind in ('overall', 'segment')

),

{%- endif %}

{%- if 'global_popularity' in methods %}

global_needs as (

    select
        store,
        customer_id,
        'overall:0' as list_key,
        {{ top_n }} as needed
    from customers

),

global_picks as (

    {{ list_picks('global_needs', 'baseline_lists', 'bought') }}

),

{%- endif %}

{%- if 'segment_popularity' in methods %}

segment_baseline_needs as (

    select
        store,
        customer_id,
        'segment:' || cast(segment_id as {{ dbt.type_string() }}) as list_key,
        {{ top_n }} as needed
    from customers
    where segment_id is not null

),

segment_baseline_picks as (

    {{ list_picks('segment_baseline_needs', 'baseline_lists', 'bought') }}

),

{%- endif %}

picks as (

    {%- set parts = [] %}
    {%- if 'model' in methods %}
        {%- do parts.append("select store, customer_id, 'model' as method, 1 as source_order, list_rank, product_id, score, reason, tie_break from rule_picks") %}
        {%- do parts.append("select store, customer_id, 'model' as method, 2 as source_order, list_rank, product_id, share as score, 'popular_in_segment' as reason, 0 as tie_break from segment_picks") %}
        {%- do parts.append("select store, customer_id, 'model' as method, 3 as source_order, list_rank, product_id, share as score, 'popular_in_category' as reason, 0 as tie_break from category_picks") %}
    {%- endif %}
    {%- if 'global_popularity' in methods %}
        {%- do parts.append("select store, customer_id, 'global_popularity' as method, 1 as source_order, list_rank, product_id, share as score, 'popular_overall' as reason, 0 as tie_break from global_picks") %}
    {%- endif %}
    {%- if 'segment_popularity' in methods %}
        {%- do parts.append("select store, customer_id, 'segment_popularity' as method, 1 as source_order, list_rank, product_id, share as score, 'popular_in_segment' as reason, 0 as tie_break from segment_baseline_picks") %}
    {%- endif %}
    {{ parts | join('\n    union all\n    ') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by store, customer_id, method
            order by source_order asc, list_rank asc
        ) as recommendation_rank
    from picks

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


{#- One popularity source of next_best_products: for each customer of `needs` (store,
    customer_id, list_key, needed), the first `needed` products of their list in `lists` (store,
    list_key, product_id, share, list_rank) that are not theirs in `excluded` (store,
    customer_id, product_id). The list is read only down to needed + the excluded products in
    it, the depth that always holds the first `needed` others. -#}
{% macro list_picks(needs, lists, excluded) -%}
    select
        store,
        customer_id,
        product_id,
        share,
        pick_rank as list_rank
    from (
        select
            needs.store,
            needs.customer_id,
            needs.needed,
            lists.product_id,
            lists.share,
            row_number() over (
                partition by needs.store, needs.customer_id order by lists.list_rank asc
            ) as pick_rank
        from (
            select
                {{ needs }}.*,
                {{ needs }}.needed + coalesce(excluded_counts.n_excluded, 0) as depth
            from {{ needs }}
            left join (
                select
                    {{ needs }}.store,
                    {{ needs }}.customer_id,
                    count(*) as n_excluded
                from {{ needs }}
                inner join {{ excluded }} as excluded
                    on
                        {{ needs }}.store = excluded.store
                        and {{ needs }}.customer_id = excluded.customer_id
                inner join {{ lists }} as lists
                    on
                        {{ needs }}.store = lists.store
                        and {{ needs }}.list_key = lists.list_key
                        and excluded.product_id = lists.product_id
                group by {{ needs }}.store, {{ needs }}.customer_id
            ) as excluded_counts
                on
                    {{ needs }}.store = excluded_counts.store
                    and {{ needs }}.customer_id = excluded_counts.customer_id
        ) as needs
        inner join {{ lists }} as lists
            on
                needs.store = lists.store
                and needs.list_key = lists.list_key
                and lists.list_rank <= needs.depth
        left join {{ excluded }} as excluded
            on
                needs.store = excluded.store
                and needs.customer_id = excluded.customer_id
                and lists.product_id = excluded.product_id
        where excluded.product_id is null
    ) as listed
    where pick_rank <= needed
{%- endmacro %}


{#- The next-best lists a daily build keeps (int_customer_recommendations as the last build stored
    it, with the key of the inputs each list was drawn from), or none: on Spark, on a full refresh,
    on a first build, or from a version that stored no keys. Every list is recomputed then. -#}
{% macro stored_next_best_lists() -%}
    {%- set relation = none -%}
    {%- if execute and target.type != 'spark' and not flags.FULL_REFRESH -%}
        {%- set node = graph.nodes['model.' ~ project_name ~ '.int_customer_recommendations'] -%}
        {%- set found = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if found is not none and ['inputs_key', 'load_id'] | reject('in',
            adapter.get_columns_in_relation(found) | map(attribute='name') | map('lower') | list)
            | list | length == 0 -%}
            {%- set relation = found -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- Whether this dbt run rebuilds the product side (a full build, or the product side after a
    refit) rather than refreshing the lists of a daily build: it builds the baskets table. -#}
{% macro builds_product_side() -%}
    {{ return('model.' ~ project_name ~ '.int_recommendation_baskets' in selected_resources) }}
{%- endmacro %}

{#-
    Store the next-best rule as a DuckDB table macro in the warehouse, for a basket that is no
    customer's history yet (the API's POST /api/recommendations):

        select * from marts.next_best_for_basket('<store>', 2,
            [{'product_id': '85123A', 'line_value': 15.3}, ...])

    It is next_best_products (method 'model') over the basket as one order of one customer in the
    given segment, reading the published rules, popularity and categories: the SQL every
    customer's list is computed with, never a copy. Relations are named without their catalog,
    so the macro reads the file it is stored in under any name. A DuckDB warehouse only.
-#}
{% macro create_next_best_for_basket_macro() -%}
{%- if target.type == 'duckdb' -%}
{%- set history -%}
    select
        basket_store as store,
        0 as customer_id,
        'basket' as order_id,
        date '2000-01-01' as order_date,
        lines.line.product_id,
        lines.line.line_value
    from (select unnest(basket_lines) as line) as lines
{%- endset -%}
{#- the parameters are named apart from every column of the rule, which DuckDB would substitute #}
{#- only the rules of the basket's products: each one's list whole, so the rule ranks as over
    every rule (a product's best rule is the strongest of those the basket offers) #}
{%- set associations -%}
    (select * from {{ ref('product_associations') }}
    where store = basket_store
        and antecedent_product_id in (select unnest(basket_lines).product_id))
{%- endset -%}
{%- set popularity -%}
    (select * from {{ ref('product_popularity') }} where store = basket_store)
{%- endset -%}
{%- set rule = next_best_products(
    history,
    associations,
    popularity,
    "select basket_store as store, 0 as customer_id, basket_segment_id as segment_id",
) -%}
create or replace macro {{ this.schema }}.next_best_for_basket(basket_store, basket_segment_id, basket_lines) as table
{{ rule | replace('"' ~ target.database ~ '".', '') }}
{%- endif -%}
{%- endmacro %}
