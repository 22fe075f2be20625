{#-
  The reason of a line, by the rules of seed retail_exclusion_reasons in order (first match
  wins). It is split in two so that lines can be loaded incrementally: the intrinsic reason does
  not depend on the as-of date and is stored once per line group; `after_as_of_date` (fourth
  rule) is applied on read, so a new as-of date never forces a reload.
  The intrinsic rule reads columns named is_exact_duplicate, invalid_fields, is_missing_customer,
  invoice_type, is_service_code and has_positive_quantity_and_price.
-#}
{% macro retail_intrinsic_reason() -%}
    case
        when is_exact_duplicate then 'exact_duplicate'
        when invalid_fields <> '' then 'invalid_value'
        when is_missing_customer then 'no_customer'
        when invoice_type = 'adjustment' then 'adjustment'
        when invoice_type = 'cancellation' then 'cancellation'
        when is_service_code then 'service_code'
        when not has_positive_quantity_and_price then 'non_positive_price_or_quantity'
        else 'purchase'
    end
{%- endmacro %}

{% macro retail_reason_as_of(reason, invoice_date, as_of_date) -%}
    case
        when {{ reason }} in ('exact_duplicate', 'invalid_value', 'no_customer') then {{ reason }}
        when {{ invoice_date }} > {{ as_of_date }} then 'after_as_of_date'
        else {{ reason }}
    end
{%- endmacro %}

{#- Purchase lines, and product (non-service) lines of cancellation invoices: monetary. -#}
{% macro retail_counts_in_monetary(reason, is_service_code) -%}
    ({{ reason }} = 'purchase' or ({{ reason }} = 'cancellation' and not {{ is_service_code }}))
{%- endmacro %}
