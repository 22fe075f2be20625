-- The most popular products of each store overall, per customer segment and per product category
-- over every basket (macros/recommendations.sql): the recommendations' fallback when a customer's
-- products have few associations, and what the API offers a new customer.

{{ product_popularity(
    "select store, customer_id, order_id, order_date, product_id, line_value from " ~ ref('int_recommendation_baskets'),
    "select store, customer_id, segment_id from " ~ ref('int_customer_segments'),
) }}
