{#-
    Association rules between the products of baskets, as one select: every ordered pair
    (antecedent, consequent) of frequent products bought in the same basket, with baskets (of the
    pair), antecedent_baskets, consequent_baskets, n_baskets (of the store), support, confidence
    and lift, per store.

        select * from ({{ product_associations("select store, order_id, product_id from ...") }})

    `baskets` is a select of store, order_id, product_id. A product is frequent when it is in at
    least association_min_support of its store's baskets and association_min_baskets baskets (a
    pair can be no more frequent than either product, so the rest can be left out before pairing);
    so is a pair. A basket of more frequent products than association_max_basket_products pairs its
    most popular ones only, so the pairs of one basket are bounded whatever its size (its products'
    own counts still come from every basket, so a capped basket lowers a pair's confidence a
    little, never raises it). Pairs are formed once (a < b) and turned both ways after counting.
  Pairs are counted on a small integer key per frequent product (its rank in store, product
  order), not on the product ids' text: the pair count is most of the work, and grouping tens of
  millions of pairs by two integers is a fraction of grouping them by store and two texts.
-#}
{% macro product_associations(baskets) -%}
{%- set min_support = var('association_min_support') | float -%}
{%- set min_baskets = var('association_min_baskets') | int -%}
{%- set max_basket_products = var('association_max_basket_products') | int -%}
with

basket_products as (

    select distinct
        store,
        order_id,
        product_id
    from ({{ baskets }}) as baskets

),

store_baskets as (

    select
        store,
        count(distinct order_id) as n_baskets,
        greatest({{ min_baskets }}, ceil({{ min_support }} * count(distinct order_id))) as min_baskets
    from basket_products
    group by store

),

product_baskets as (

    select
        basket_products.store,
        basket_products.product_id,
        count(*) as product_baskets
    from basket_products
    group by basket_products.store, basket_products.product_id

),

frequent_products as (

    select
        product_baskets.*,
        row_number() over (
            order by product_baskets.store asc, product_baskets.product_id asc
        ) as product_key
    from product_baskets
    inner join store_baskets
        on product_baskets.store = store_baskets.store
    where product_baskets.product_baskets >= store_baskets.min_baskets

),

capped_baskets as (

    select
        store,
        order_id,
        product_key
    from (
        select
            basket_products.store,
            basket_products.order_id,
            frequent_products.product_key,
            row_number() over (
                partition by basket_products.store, basket_products.order_id
                order by frequent_products.product_baskets desc, basket_products.product_id asc
            ) as product_rank
        from basket_products
        inner join frequent_products
            on
                basket_products.store = frequent_products.store
                and basket_products.product_id = frequent_products.product_id
    ) as ranked
    where product_rank <= {{ max_basket_products }}

),

pairs as (

    -- a product key belongs to one store, so the keys alone identify a pair
    select
        first_products.product_key as key_a,
        second_products.product_key as key_b,
        count(*) as pair_baskets
    from capped_baskets as first_products
    inner join capped_baskets as second_products
        on
            first_products.store = second_products.store
            and first_products.order_id = second_products.order_id
            and first_products.product_key < second_products.product_key
    group by first_products.product_key, second_products.product_key

),

frequent_pairs as (

    select
        products_a.store,
        products_a.product_id as product_a,
        products_b.product_id as product_b,
        pairs.pair_baskets
    from pairs
    inner join frequent_products as products_a
        on pairs.key_a = products_a.product_key
    inner join frequent_products as products_b
        on pairs.key_b = products_b.product_key
    inner join store_baskets
        on products_a.store = store_baskets.store
    where pairs.pair_baskets >= store_baskets.min_baskets

),

rules as (

    select
        store,
        product_a as antecedent_product_id,
        product_b as consequent_product_id,
        pair_baskets
    from frequent_pairs

    union all

    select
        store,
        product_b as antecedent_product_id,
        product_a as consequent_product_id,
        pair_baskets
    from frequent_pairs

)

select
    rules.store,
    rules.antecedent_product_id,
    rules.consequent_product_id,
    cast(rules.pair_baskets as {{ dbt.type_bigint() }}) as baskets,
    cast(antecedents.product_baskets as {{ dbt.type_bigint() }}) as antecedent_baskets,
    cast(consequents.product_baskets as {{ dbt.type_bigint() }}) as consequent_baskets,
    cast(store_baskets.n_baskets as {{ dbt.type_bigint() }}) as n_baskets,
    cast(rules.pair_baskets as double) / store_baskets.n_baskets as support,
    cast(rules.pair_baskets as double) / antecedents.product_baskets as confidence,
    (cast(rules.pair_baskets as double) / antecedents.product_baskets)
    / (cast(consequents.product_baskets as double) / store_baskets.n_baskets) as lift
from rules
inner join store_baskets
    on rules.store = store_baskets.store
inner join frequent_products as antecedents
    on
        rules.store = antecedents.store
        and rules.antecedent_product_id = antecedents.product_id
inner join frequent_products as consequents
    on
        rules.store = consequents.store
        and rules.consequent_product_id = consequents.product_id
{%- endmacro %}
