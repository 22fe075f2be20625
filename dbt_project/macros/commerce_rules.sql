{#-
  The fate of an order line, by the rules of seed retail_exclusion_reasons in order (first match
  wins), for every store: the adapters map their raw lines onto the canonical flags these rules
  read (staging/<store>/stg_<store>__order_lines). The rule is split in two so that lines can be
  loaded incrementally: the intrinsic reason does not depend on the as-of date;
  `after_as_of_date` (fifth rule) is applied on read, so a new as-of date never forces a reload.
  The intrinsic rule reads columns named is_exact_duplicate, is_conflicting_duplicate,
  invalid_fields, is_missing_customer, order_type, is_service_line and
  has_positive_quantity_and_price (or the names given).
-#}
{% macro commerce_intrinsic_reason(order_type='order_type', is_service_line='is_service_line') -%}
    case
        when is_exact_duplicate then 'exact_duplicate'
        when is_conflicting_duplicate then 'conflicting_duplicate'
        when invalid_fields <> '' then 'invalid_value'
        when is_missing_customer then 'no_customer'
        when {{ order_type }} = 'adjustment' then 'adjustment'
        when {{ order_type }} = 'cancellation' then 'cancellation'
        when {{ order_type }} = 'canceled_order' then 'canceled_order'
        when {{ is_service_line }} then 'service_code'
        when not has_positive_quantity_and_price then 'non_positive_price_or_quantity'
        else 'purchase'
    end
{%- endmacro %}

{% macro commerce_reason_as_of(reason, order_date, as_of_date) -%}
    case
        when {{ reason }} in ('exact_duplicate', 'conflicting_duplicate', 'invalid_value', 'no_customer')
            then {{ reason }}
        when {{ order_date }} > {{ as_of_date }} then 'after_as_of_date'
        else {{ reason }}
    end
{%- endmacro %}

{#- Purchase lines, and product (non-service) lines of cancellations: monetary. -#}
{% macro commerce_counts_in_monetary(reason, is_service_line) -%}
    ({{ reason }} = 'purchase' or ({{ reason }} = 'cancellation' and not {{ is_service_line }}))
{%- endmacro %}

{#-
  The stores this build includes: each has an adapter under models/staging/<store>/ (whose
  stg_<store>__order_lines maps its raw files onto the canonical order lines) and a row in seed
  `stores` (a data test checks every store built has one). The COMMERCE_STORES environment
  variable names them (scripts/build_warehouse.py sets it from the inputs it was given); without
  it: online_retail, olist as well when OLIST_DIR is set, generic_orders when ORDERS_PATH is.
  dbt must know every ref when it parses the project, before any seed is loaded, so the list
  cannot come from the seed; dbt_project.yml enables the adapters' folders by the same rule.
-#}
{% macro commerce_stores() -%}
    {%- set default = 'online_retail' ~ (',olist' if env_var('OLIST_DIR', '') else '')
        ~ (',generic_orders' if env_var('ORDERS_PATH', '') else '') -%}
    {%- set stores = env_var('COMMERCE_STORES', default).split(',') | map('trim') | reject('equalto', '') | list -%}
    {{ return(stores | sort) }}
{%- endmacro %}

{#- The columns of the canonical order lines every adapter provides, in this order. load_id is
    the build that loaded the line (an adapter that reads its files whole at every build gives
    every line this build's invocation id): the incremental marts recompute what it touches. -#}
{% macro commerce_order_line_columns() -%}
    {{ return([
        'store', 'order_id', 'order_type', 'customer_id', 'customer_key', 'country', 'ordered_at',
        'order_date', 'is_service_line', 'is_exact_duplicate', 'is_conflicting_duplicate',
        'invalid_fields',
        'is_missing_customer', 'has_positive_quantity_and_price', 'n_lines', 'units', 'line_value',
        'load_id',
    ]) }}
{%- endmacro %}

{#- A customer id as a positive 64-bit integer, for stores whose customers have text keys (a
    store with numeric ids uses them as they are): the first 15 hex digits (60 bits) of the key's md5,
    the same on every engine, so a store's ids are equal on DuckDB and Spark; stable, and unique
    in practice (a test checks the ids of each store are unique). scripts/build_warehouse.py
    renumbers the ids of a warehouse published with the former DuckDB-only hash. -#}
{% macro stable_customer_id(text) -%}
    {{ return(adapter.dispatch('stable_customer_id')(text)) }}
{%- endmacro %}

{% macro default__stable_customer_id(text) -%}
    cast(conv(substr(md5({{ text }}), 1, 15), 16, 10) as bigint)
{%- endmacro %}

{% macro duckdb__stable_customer_id(text) -%}
    cast('0x' || substr(md5({{ text }}), 1, 15) as bigint)
{%- endmacro %}

{#- The rows of stg_<store>__customer_attributes for a store that knows nothing of its customers
    beyond what fct_customer_rfm carries (the country): none, with the columns every adapter gives. -#}
{% macro no_customer_attributes() -%}
    select
        cast(null as {{ dbt.type_string() }}) as store,
        cast(null as {{ dbt.type_bigint() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as attribute,
        cast(null as {{ dbt.type_string() }}) as attribute_value
    where false
{%- endmacro %}
