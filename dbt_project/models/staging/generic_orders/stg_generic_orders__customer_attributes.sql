-- What the generic_orders store knows of each customer beyond RFM: nothing but the country,
-- which the segment profiles by attribute take from fct_customer_rfm. The model exists because
-- every adapter provides one (macros/commerce_rules.sql commerce_stores()).

{{ no_customer_attributes() }}
