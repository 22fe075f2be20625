-- Per store, the 100 most popular products (by customers who bought them) overall, within each
-- customer segment and within each product category: what recommendations fall back on, and what
-- the API offers a new customer.

select
    store,
    group_kind,
    group_id,
    product_id,
    customers,
    share,
    popularity_rank
from {{ ref('int_product_popularity') }}
