-- Association rules between products over every basket of each store (macros/product_associations.sql):
-- what customer_recommendations and product_associations publish.

{{ product_associations("select store, order_id, product_id from " ~ ref('int_recommendation_baskets')) }}
