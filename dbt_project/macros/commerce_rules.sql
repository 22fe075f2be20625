{#-
  The fate of an order line, by the rules of seed retail_exclusion_reasons in order (first match
  wins), for every store: the adapters map their raw lines onto the canonical flags these rules
  read (staging/<store>/stg_<store>__order_lines). The rule is split in two so that lines can be
  loaded incrementally: the intrinsic reason does not depend on the as-of date;
  `after_as_of_date` (fourth rule) is applied on read, so a new as-of date never forces a reload.
  The intrinsic rule reads columns named is_exact_duplicate, invalid_fields, is_missing_customer,
  order_type, is_service_line and has_positive_quantity_and_price (or the names given).
-#}
{% macro commerce_intrinsic_reason(order_type='order_type', is_service_line='is_service_line') -%}
    case
        when is_exact_duplicate then 'exact_duplicate'
        when invalid_fields <> '' then 'invalid_value'
        when is_missing_customer then 'no_customer'
        when {{ order_type }} = 'adjustment' then 'adjustment'
        when {{ order_type }} = 'cancellation' then 'cancellation'
        when {{ is_service_line }} then 'service_code'
        when not has_positive_quantity_and_price then 'non_positive_price_or_quantity'
        else 'purchase'
    end
{%- endmacro %}

{% macro commerce_reason_as_of(reason, order_date, as_of_date) -%}
    case
        when {{ reason }} in ('exact_duplicate', 'invalid_value', 'no_customer') then {{ reason }}
        when {{ order_date }} > {{ as_of_date }} then 'after_as_of_date'
        else {{ reason }}
    end
{%- endmacro %}

{#- Purchase lines, and product (non-service) lines of cancellations: monetary. -#}
{% macro commerce_counts_in_monetary(reason, is_service_line) -%}
    ({{ reason }} = 'purchase' or ({{ reason }} = 'cancellation' and not {{ is_service_line }}))
{%- endmacro %}

{#-
  The stores of the commerce core: one adapter each under models/staging/<store>/, whose model
  stg_<store>__order_lines maps its raw files onto the canonical order lines, and one row each in
  seed `stores` (a data test checks the two agree). dbt must know every ref when it parses the
  project, before any seed is loaded, so the list is written here once.
-#}
{% macro commerce_stores() -%}
    {{ return(['online_retail']) }}
{%- endmacro %}
