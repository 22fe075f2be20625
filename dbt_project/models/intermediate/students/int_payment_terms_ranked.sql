-- Each student's payment terms over its won opportunities, ranked: term_rank = 1 is the dominant
-- payment term. Most won opportunities first; ties go to the larger total amount paid on that
-- term, then to the earlier first close date, then to the term name, so the same data always
-- gives the same answer. Opportunities whose term text no seed maps ('unknown') are left out.

with

won as (

    select
        student_id,
        payment_term,
        amount_paid,
        close_date
    from {{ ref('int_opportunities_classified') }}
    where
        reason = 'kept_won'
        and payment_term <> 'unknown'

),

per_term as (

    select
        student_id,
        payment_term,
        count(*) as n_won_opportunities,
        sum(coalesce(amount_paid, 0)) as amount_paid,
        min(close_date) as first_close_date
    from won
    group by student_id, payment_term

),

final as (

    select
        student_id,
        payment_term,
        n_won_opportunities,
        amount_paid,
        first_close_date,
        row_number() over (
            partition by student_id
            order by
                n_won_opportunities desc,
                amount_paid desc,
                first_close_date asc nulls last,
                payment_term asc
        ) as term_rank
    from per_term

)

select * from final
