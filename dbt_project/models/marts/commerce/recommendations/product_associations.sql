-- Per store, the association rules between products bought in the same basket (an order's
-- distinct products): antecedent, consequent, baskets of the pair, support, confidence and lift,
-- with both products' descriptions. Only frequent pairs (vars association_min_support and
-- association_min_baskets; macros/product_associations.sql).

with

rules as (

    select * from {{ ref('int_product_associations') }}

),

products as (

    select * from {{ ref('int_products_summarised') }}

),

final as (

    select
        rules.store,
        rules.antecedent_product_id,
        antecedents.description as antecedent_description,
        rules.consequent_product_id,
        consequents.description as consequent_description,
        rules.baskets,
        rules.antecedent_baskets,
        rules.consequent_baskets,
        rules.n_baskets,
        rules.support,
        rules.confidence,
        rules.lift
    from rules
    left join products as antecedents
        on
            rules.store = antecedents.store
            and rules.antecedent_product_id = antecedents.product_id
    left join products as consequents
        on
            rules.store = consequents.store
            and rules.consequent_product_id = consequents.product_id

)

select * from final
