-- Per store, how well the next-best products would have predicted what customers bought next:
-- trained on the baskets before the cutoff (the first day of the last recommendation_holdout_days
-- days of orders), evaluated on the products each customer bought on or after it that they had
-- not bought before (customers with at least one such product and a purchase before the cutoff).
-- precision@10, recall@10, hit rate@10 and catalogue coverage (distinct products recommended to
-- any training customer over products sold before the cutoff), for the recommender and two
-- baselines (global popularity; popularity within the customer's segment at the cutoff). A store
-- where no customer bought a new product after the cutoff has its rows with no scores.

with

lists as (

    select * from {{ ref('int_recommendation_evaluation_lists') }}

),

baskets as (

    select * from {{ ref('int_recommendation_baskets') }}

),

training_bought as (

    select distinct
        store,
        customer_id,
        product_id
    from baskets
    where is_training

),

known_customers as (

    select distinct
        store,
        customer_id
    from training_bought

),

training_customers as (

    select
        store,
        count(distinct customer_id) as customers,
        count(distinct product_id) as products
    from training_bought
    group by store

),

new_purchases as (

    -- what training customers bought on or after the cutoff that they had not bought before
    select distinct
        baskets.store,
        baskets.customer_id,
        baskets.product_id
    from baskets
    inner join known_customers
        on
            baskets.store = known_customers.store
            and baskets.customer_id = known_customers.customer_id
    left join training_bought as bought_before
        on
            baskets.store = bought_before.store
            and baskets.customer_id = bought_before.customer_id
            and baskets.product_id = bought_before.product_id
    where
        not baskets.is_training
        and bought_before.product_id is null

),

evaluated as (

    select
        store,
        customer_id,
        count(*) as n_new_products
    from new_purchases
    group by store, customer_id

),

methods as (

    select methods.method
    from (values ('model'), ('global_popularity'), ('segment_popularity')) as methods (method)

),

hits as (

    select
        lists.store,
        lists.method,
        lists.customer_id,
        count(new_purchases.product_id) as hits
    from lists
    left join new_purchases
        on
            lists.store = new_purchases.store
            and lists.customer_id = new_purchases.customer_id
            and lists.product_id = new_purchases.product_id
    group by lists.store, lists.method, lists.customer_id

),

per_customer as (

    -- every evaluated customer under every method; no list (e.g. no segment) is no hit
    select
        evaluated.store,
        methods.method,
        evaluated.customer_id,
        evaluated.n_new_products,
        coalesce(hits.hits, 0) as hits
    from evaluated
    cross join methods
    left join hits
        on
            evaluated.store = hits.store
            and methods.method = hits.method
            and evaluated.customer_id = hits.customer_id

),

coverage as (

    select
        store,
        method,
        count(distinct product_id) as products_recommended
    from lists
    group by store, method

),

cutoffs as (

    select distinct
        store,
        cutoff_date
    from baskets

),

scores as (

    select
        per_customer.store,
        per_customer.method,
        cast(sum(per_customer.hits) as double)
        / ({{ var('recommendations_per_customer') | int }} * count(*)) as precision_at_10,
        avg(cast(per_customer.hits as double) / per_customer.n_new_products) as recall_at_10,
        avg(cast(case when per_customer.hits > 0 then 1 else 0 end as double)) as hit_rate_at_10,
        cast(min(coverage.products_recommended) as double)
        / min(training_customers.products) as catalogue_coverage,
        cast(count(*) as integer) as customers_evaluated
    from per_customer
    inner join training_customers
        on per_customer.store = training_customers.store
    left join coverage
        on
            per_customer.store = coverage.store
            and per_customer.method = coverage.method
    group by per_customer.store, per_customer.method

),

final as (

    select
        cutoffs.store,
        methods.method,
        scores.precision_at_10,
        scores.recall_at_10,
        scores.hit_rate_at_10,
        scores.catalogue_coverage,
        coalesce(scores.customers_evaluated, 0) as customers_evaluated,
        cast(coalesce(training_customers.customers, 0) as integer) as training_customers,
        cast(coalesce(coverage.products_recommended, 0) as integer) as products_recommended,
        cast(coalesce(training_customers.products, 0) as integer) as training_products,
        cutoffs.cutoff_date,
        cast({{ var('recommendation_holdout_days') | int }} as integer) as holdout_days
    from cutoffs
    cross join methods
    left join scores
        on
            cutoffs.store = scores.store
            and methods.method = scores.method
    left join training_customers
        on cutoffs.store = training_customers.store
    left join coverage
        on
            cutoffs.store = coverage.store
            and methods.method = coverage.method

)

select * from final
