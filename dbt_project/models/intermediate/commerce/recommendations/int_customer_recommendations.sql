-- Every customer's next-best products from their whole history (macros/recommendations.sql):
-- what marts.customer_recommendations publishes.

{{ next_best_products(
    "select store, customer_id, order_id, order_date, product_id, line_value from " ~ ref('int_recommendation_baskets'),
    ref('int_product_associations'),
    ref('int_product_popularity'),
    "select store, customer_id, segment_id from " ~ ref('int_customer_segments'),
) }}
