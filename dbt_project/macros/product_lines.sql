{#- `product_lines` (a select of the columns of stg_<store>__product_lines, with store) with the
    commerce rules applied: the same reasons as the order lines (macros/commerce_rules.sql). -#}
{% macro classified_product_lines(product_lines) -%}
with

product_lines as (

    {{ product_lines }}

),

as_of as (

    select * from {{ ref('int_store_as_of_dates') }}

),

classified as (

    select
        product_lines.*,
        {{ commerce_reason_as_of(commerce_intrinsic_reason(), 'product_lines.order_date', 'as_of.as_of_date') }}
            as reason
    from (
        select
            *,
            false as is_exact_duplicate,
            false as is_conflicting_duplicate,
            false as is_missing_customer
        from product_lines
    ) as product_lines
    inner join as_of
        on product_lines.store = as_of.store

),

final as (

    select
        store,
        order_id,
        order_type,
        customer_id,
        country,
        order_date,
        product_id,
        description,
        category,
        is_service_line,
        reason,
        {{ commerce_counts_in_monetary('reason', 'is_service_line') }} as counts_in_monetary,
        n_lines,
        units,
        line_value,
        min_unit_price,
        max_unit_price
    from classified

)

select * from final
{%- endmacro %}

{#- Purchase baskets at product level from `lines` (a select of classified product lines): an
    order's distinct products (service lines left out) with the customer, the date, the value. -#}
{% macro purchase_baskets(lines) -%}
    select
        store,
        order_id,
        customer_id,
        order_date,
        product_id,
        cast(sum(line_value) as double) as line_value
    from ({{ lines }}) as lines
    where reason = 'purchase' and not is_service_line
    group by store, order_id, customer_id, order_date, product_id
{%- endmacro %}

{#- The columns of every store's product lines (stg_<store>__product_lines), which the product
    side and the next-best refresh read. -#}
{% macro product_line_columns() -%}
    {{ return([
        'store', 'order_id', 'order_type', 'customer_id', 'country', 'order_date', 'product_id',
        'description', 'category', 'is_service_line', 'invalid_fields', 'has_positive_quantity_and_price',
        'n_lines', 'units', 'line_value', 'min_unit_price', 'max_unit_price',
    ]) }}
{%- endmacro %}
