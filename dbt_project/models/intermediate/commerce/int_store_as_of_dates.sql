-- The reference date of every RFM metric, per store: the `as_of_date` var, or by default the day
-- after the store's last order date in the data. Never the wall clock, so a rebuild gives the
-- same numbers. A store with no parseable order date stops the build with one line.

with

order_lines as (

    select * from {{ ref('int_order_lines_unioned') }}

),

stores as (

    select distinct store from order_lines

),

dated as (

    select
        store,
        max(order_date) as last_order_date
    from order_lines
    where order_date is not null
    group by store

),

final as (

    select
        stores.store,
        {%- set no_date = 'no line has a parseable InvoiceDate (ISO 2010-12-01 08:26:00 or'
            ~ ' 12/1/2010 8:26 expected), so there is no as-of date' %}
        {%- if var('as_of_date') %}
        cast({{ sql_string(var('as_of_date')) }} as date) as as_of_date,
        {%- else %}
            case
                when dated.last_order_date is null then {{ data_error(no_date) }}
                else cast({{ dbt.dateadd('day', 1, 'dated.last_order_date') }} as date)
            end as as_of_date,
        {%- endif %}
        dated.last_order_date
    from stores
    left join dated
        on stores.store = dated.store

)

select * from final
