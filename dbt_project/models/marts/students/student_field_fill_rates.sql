-- Share of students with each sparse self-reported CRM field filled, per cohort: the evidence
-- that these fields are too sparse to conclude anything from.

with

students as (

    select * from {{ ref('fct_students') }}

),

{% set fields = ['looking_for_job', 'phone_payment_plan', 'professional_interests', 'monthly_income_range'] %}

filled as (

    {% for field in fields %}
        select
            cohort_year,
            '{{ field }}' as field_name,
            count(*) as n_students,
            count({{ field }}) as n_filled
        from students
        group by cohort_year
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        cohort_year,
        field_name,
        n_students,
        n_filled,
        n_filled * 1.0 / n_students as fill_rate
    from filled

)

select * from final
