-- One row per raw payment of the Olist export: payment value as an exact decimal. A value that
-- is not a number or is negative is invalid (the payment and its order are excluded as
-- invalid_value, the field named in olist_file_reconciliation).

with

source as (

    select *
    from {{ olist_rows('order_payments') }} as payments

),

final as (

    select
        line_number,
        nullif(trim(order_id), '') as order_id,
        {{ dbt.safe_cast('trim(payment_sequential)', dbt.type_int()) }} as payment_sequential,
        lower(nullif(trim(payment_type), '')) as payment_type,
        {{ dbt.safe_cast('trim(payment_installments)', dbt.type_int()) }} as payment_installments,
        {{ dbt.safe_cast('trim(payment_value)', 'decimal(18, 2)') }} as payment_value,
        (
            nullif(trim(payment_value), '') is not null
            and {{ dbt.safe_cast('trim(payment_value)', 'decimal(18, 2)') }} is null
        )
        or {{ dbt.safe_cast('trim(payment_value)', 'decimal(18, 2)') }} < 0 as is_payment_value_invalid
    from source

)

select * from final
