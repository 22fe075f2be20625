-- What the online_retail store knows of each customer beyond RFM: nothing but the country, which
-- every store has and the segment profiles by attribute take from fct_customer_rfm. The model
-- exists because every adapter provides one (macros/commerce_rules.sql commerce_stores()).

{{ no_customer_attributes() }}
