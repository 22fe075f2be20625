-- The reference date of every RFM metric: the `as_of_date` var, or by default the day after
-- the last invoice date in the data. Never the wall clock, so a rebuild gives the same numbers.

with

dated_lines as (

    select max(invoice_date) as last_invoice_date
    from {{ ref('int_invoice_line_groups') }}
    where invoice_date is not null

),

final as (

    select
        {% if var('as_of_date') -%}
        cast({{ sql_string(var('as_of_date')) }} as date) as as_of_date,
        {%- else -%}
        case
            when last_invoice_date is null
                then {{ data_error('no line has a parseable InvoiceDate (ISO 2010-12-01 08:26:00 or 12/1/2010 8:26 expected), so there is no as-of date') }}
            else cast({{ dbt.dateadd('day', 1, 'last_invoice_date') }} as date)
        end as as_of_date,
        {%- endif %}
        last_invoice_date
    from dated_lines

)

select * from final
