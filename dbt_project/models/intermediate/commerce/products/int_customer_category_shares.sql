-- Each store's customers' share of their positive net spend per product category (shares of a
-- customer sum to 1; categories with spend <= 0 are left out) and their dominant category (the
-- largest spend, ties to the lower category id): what the interest segments and the interest
-- prediction learn from. models_py.interests.customer_category_shares is the same rule in Python.

with

spend as (

    select * from {{ ref('int_customer_category_spend') }}
    where net_spend > 0

),

final as (

    select
        store,
        customer_id,
        category_id,
        category_name,
        net_spend,
        net_spend / sum(net_spend) over (partition by store, customer_id) as share,
        row_number() over (
            partition by store, customer_id order by net_spend desc, category_id asc
        ) = 1 as is_dominant
    from spend

)

select * from final
