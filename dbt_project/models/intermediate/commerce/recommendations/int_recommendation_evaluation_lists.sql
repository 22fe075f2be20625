-- The offline evaluation's recommendations: for every customer who bought before their store's
-- evaluation cutoff, the ten next-best products of the recommender and of the two baselines
-- (global popularity, popularity in the customer's segment at the cutoff), each computed from the
-- baskets before the cutoff alone.

{{ next_best_products(
    "select store, customer_id, order_id, order_date, product_id, line_value from " ~ ref('int_recommendation_baskets') ~ " where is_training",
    ref('int_product_associations_training'),
    ref('int_product_popularity_training'),
    "select store, customer_id, segment_id from " ~ ref('int_recommendation_segments_at_cutoff'),
    methods=['model', 'global_popularity', 'segment_popularity'],
) }}
