-- Product popularity over the baskets before each store's evaluation cutoff, per segment as of
-- the cutoff: what the offline evaluation's fallback and baselines rank by.

{{ product_popularity(
    "select store, customer_id, order_id, order_date, product_id, line_value from " ~ ref('int_recommendation_baskets') ~ " where is_training",
    "select store, customer_id, segment_id from " ~ ref('int_recommendation_segments_at_cutoff'),
) }}
