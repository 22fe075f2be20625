-- What the generic_orders store knows of each customer beyond RFM: nothing but the country,
-- which the segment profiles by attribute take from fct_customer_rfm. The model exists because
-- every adapter provides one (macros/commerce_rules.sql commerce_stores()).

select
    cast(null as {{ dbt.type_string() }}) as store,
    cast(null as {{ dbt.type_bigint() }}) as customer_id,
    cast(null as {{ dbt.type_string() }}) as attribute,
    cast(null as {{ dbt.type_string() }}) as attribute_value
where false
