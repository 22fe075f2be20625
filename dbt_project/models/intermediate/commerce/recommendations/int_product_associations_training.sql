-- Association rules over the baskets before each store's evaluation cutoff only: what the offline
-- evaluation recommends from, so that nothing after the cutoff reaches it.

{{ product_associations(
    "select store, order_id, product_id from " ~ ref('int_recommendation_baskets') ~ " where is_training"
) }}
