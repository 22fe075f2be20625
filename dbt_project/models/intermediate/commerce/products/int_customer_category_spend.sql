-- Net spend of each store's customers per product category: the product lines that make up
-- monetary (purchases, less the product lines of cancellations), by the products' categories.

with

lines as (

    select * from {{ ref('int_product_lines_classified') }}
    where counts_in_monetary and not is_service_line

),

categories as (

    select * from {{ ref('int_product_categories') }}

),

final as (

    select
        lines.store,
        lines.customer_id,
        categories.category_id,
        categories.category_name,
        cast(sum(lines.line_value) as double) as net_spend
    from lines
    inner join categories
        on
            lines.store = categories.store
            and lines.product_id = categories.product_id
    group by lines.store, lines.customer_id, categories.category_id, categories.category_name

)

select * from final
