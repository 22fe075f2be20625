-- One row per raw opportunity the reader could parse, in file order: trimmed, typed, and the
-- product, stage and payment-term variants mapped to canonical values through the seeds.
-- Values that cannot be read stay null and are named in `invalid_fields`; nothing is dropped.

with

source as (

    select * from {{ read_csv_file(source('crm', 'opportunities'), 'crm_opportunities') }}

),

diploma_map as (

    select * from {{ ref('student_diploma_map') }}

),

stage_map as (

    select * from {{ ref('student_stage_map') }}

),

term_map as (

    select * from {{ ref('student_payment_term_map') }}

),

renamed as (

    select
        row_number() over () as line_number,
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('contact_id') }} as contact_id,
        {{ clean_text('product') }} as product_text,
        {{ variant_key('product') }} as product_key,
        {{ clean_text('stage') }} as stage_text,
        {{ variant_key('stage') }} as stage_key,
        {{ clean_text('payment_term') }} as payment_term_text,
        {{ variant_key('payment_term') }} as payment_term_key,
        amount as amount_text,
        amount_paid as amount_paid_text,
        bogo as bogo_text,
        created_date as created_date_text,
        close_date as close_date_text,
        {{ parse_money('amount') }} as amount,
        {{ parse_money('amount_paid') }} as amount_paid,
        {{ parse_flag('bogo') }} as is_bogo,
        {{ dbt.safe_cast(clean_text('created_date'), dbt.type_timestamp()) }} as created_at,
        {{ dbt.safe_cast(clean_text('close_date'), dbt.type_timestamp()) }} as closed_at
    from source

),

final as (

    select
        renamed.line_number,
        renamed.opportunity_id,
        renamed.contact_id,
        renamed.product_text,
        coalesce(diploma_map.diploma, renamed.product_text) as diploma,
        coalesce(stage_map.stage, renamed.stage_text) as stage,
        coalesce(stage_map.is_won, false) as is_won,
        renamed.payment_term_text,
        coalesce(term_map.payment_term, 'unknown') as payment_term,
        renamed.amount,
        renamed.amount_paid,
        coalesce(renamed.is_bogo, false) as is_bogo,
        cast(renamed.created_at as date) as created_date,
        cast(renamed.closed_at as date) as close_date,
        concat_ws(
            ', ',
            case when {{ is_unreadable('renamed.amount_text', 'renamed.amount') }} then 'amount' end,
            case
                when {{ is_unreadable('renamed.amount_paid_text', 'renamed.amount_paid') }}
                    then 'amount_paid'
            end,
            case when renamed.is_bogo is null then 'bogo' end,
            case
                when {{ is_unreadable('renamed.created_date_text', 'renamed.created_at') }}
                    then 'created_date'
            end,
            case
                when {{ is_unreadable('renamed.close_date_text', 'renamed.closed_at') }}
                    then 'close_date'
            end
        ) as invalid_fields
    from renamed
    left join diploma_map
        on renamed.product_key = diploma_map.diploma_text
    left join stage_map
        on renamed.stage_key = stage_map.stage_text
    left join term_map
        on renamed.payment_term_key = term_map.payment_term_text

)

select * from final
