-- The generic_orders adapter: the lines of your orders file mapped onto the canonical order
-- lines of the commerce core (intermediate/commerce/int_order_lines_unioned), one row per line.
-- The file is read whole at every build: every line is this build's.
{{ config(materialized='view') }}

select
    cast('generic_orders' as {{ dbt.type_string() }}) as store,
    order_id,
    order_type,
    customer_id,
    customer_key,
    country,
    ordered_at,
    order_date,
    false as is_service_line,
    is_exact_duplicate,
    -- an order's lines share its id: a repeated id is never a conflict here
    false as is_conflicting_duplicate,
    invalid_fields,
    is_missing_customer,
    has_positive_quantity_and_price,
    cast(1 as {{ dbt.type_bigint() }}) as n_lines,
    units,
    cast(line_value as decimal(38, 6)) as line_value,
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as load_id
from {{ ref('stg_generic_orders__lines') }}
