-- One row per day from 2000-01-01 to 2039-12-31: the time spine MetricFlow needs to join metrics
-- to days (docs/metrics.md). Built from a cross join of digits, so it reads no table and runs on
-- any engine the project targets.

with

digits as (

    select digit_values.digit
    from (
        values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)
    ) as digit_values (digit)

),

day_numbers as (

    select
        ten_thousands.digit * 10000
        + thousands.digit * 1000
        + hundreds.digit * 100
        + tens.digit * 10
        + units.digit as day_number
    from digits as ten_thousands
    cross join digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as units

),

days as (

    select
        cast({{ dbt.dateadd('day', 'day_number', "cast('2000-01-01' as date)") }} as date) as date_day
    from day_numbers

),

final as (

    select date_day
    from days
    where date_day <= cast('2039-12-31' as date)

)

select * from final
