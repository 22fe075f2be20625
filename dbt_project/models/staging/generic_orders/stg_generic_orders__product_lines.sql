-- The generic_orders adapter's product lines, for the product side: one row per order, product
-- and the facts the commerce rules read, of the lines of known customers (exact duplicates left
-- out). The description is the product's name (its id when the file has no names); the category
-- the shop's own, when the file has one.
{{ config(materialized='view', tags=['products', 'next_best_refresh']) }}

select
    cast('generic_orders' as {{ dbt.type_string() }}) as store,
    order_id,
    order_type,
    customer_id,
    country,
    order_date,
    product_id,
    coalesce(product_name, product_id) as description,
    category,
    false as is_service_line,
    invalid_fields,
    has_positive_quantity_and_price,
    cast(count(*) as {{ dbt.type_bigint() }}) as n_lines,
    cast(sum(units) as {{ dbt.type_bigint() }}) as units,
    cast(sum(line_value) as decimal(38, 6)) as line_value,
    min(unit_price) as min_unit_price,
    max(unit_price) as max_unit_price
from {{ ref('stg_generic_orders__lines') }}
where not is_exact_duplicate and not is_missing_customer and product_id is not null
group by
    order_id, order_type, customer_id, country, order_date, product_id,
    coalesce(product_name, product_id), category, invalid_fields, has_positive_quantity_and_price
