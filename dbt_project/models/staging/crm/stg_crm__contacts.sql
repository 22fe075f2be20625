-- One row per raw contact record the reader could parse, in file order: trimmed, typed, email
-- case-folded (the key that merges a student's records), country text mapped through the seeds.
-- Nothing is dropped here; int_contacts_classified decides each row's fate.

with

source as (

    select * from {{ read_csv_file(source('crm', 'contacts'), 'crm_contacts') }}

),

country_map as (

    select * from {{ ref('student_country_map') }}

),

countries as (

    select * from {{ ref('student_countries') }}

),

renamed as (

    select
        row_number() over () as line_number,
        {{ clean_text('contact_id') }} as contact_id,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ variant_key('email') }} as email,
        {{ clean_text('country') }} as country_text,
        {{ variant_key('country') }} as country_key,
        {{ dbt.safe_cast(clean_text('created_at'), api.Column.translate_type('timestamp')) }}
            as created_at,
        {{ clean_text('looking_for_job') }} as looking_for_job,
        {{ clean_text('phone_payment_plan') }} as phone_payment_plan,
        {{ clean_text('professional_interests') }} as professional_interests,
        {{ clean_text('monthly_income_range') }} as monthly_income_range
    from source

),

final as (

    select
        renamed.line_number,
        renamed.contact_id,
        renamed.first_name,
        renamed.last_name,
        renamed.email,
        renamed.country_text,
        countries.country_code,
        countries.country_name,
        countries.country_bucket,
        countries.country_code is null as is_unknown_country,
        renamed.created_at,
        renamed.created_at is null as is_invalid_created_at,
        renamed.looking_for_job,
        renamed.phone_payment_plan,
        renamed.professional_interests,
        renamed.monthly_income_range
    from renamed
    left join country_map
        on renamed.country_key = country_map.country_text
    left join countries
        on country_map.country_code = countries.country_code

)

select * from final
