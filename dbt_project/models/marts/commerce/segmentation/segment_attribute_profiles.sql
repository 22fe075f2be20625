-- The customer segments of every store profiled by attribute, one long table: for each store,
-- segment, attribute and value, the segment's customers with that value, their share of the
-- segment and their revenue. Country for every store; the attributes each adapter knows besides
-- (stg_<store>__customer_attributes: e.g. state, city, payment type, product category, price
-- band, review score).

with

segments as (

    select * from {{ ref('customer_segments') }}

),

countries as (

    select
        store,
        customer_id,
        'country' as attribute,
        country as attribute_value
    from {{ ref('fct_customer_rfm') }}
    where country is not null

),

store_attributes as (

    {% for store in commerce_stores() -%}
        select
            store,
            customer_id,
            attribute,
            attribute_value
        from {{ ref('stg_' ~ store ~ '__customer_attributes') }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}

),

attributes as (

    select * from countries
    union all
    select * from store_attributes

),

segment_sizes as (

    select
        store,
        segment_id,
        count(*) as segment_customers
    from segments
    group by store, segment_id

),

counted as (

    select
        segments.store,
        segments.segment_id,
        segments.segment_label,
        attributes.attribute,
        attributes.attribute_value,
        count(*) as customers,
        sum(cast(segments.monetary as decimal(38, 6))) as revenue,
        min(segments.model_run_id) as model_run_id
    from segments
    inner join attributes
        on
            segments.store = attributes.store
            and segments.customer_id = attributes.customer_id
    group by
        segments.store, segments.segment_id, segments.segment_label, attributes.attribute,
        attributes.attribute_value

),

final as (

    select
        counted.store,
        cast(counted.segment_id as integer) as segment_id,
        counted.segment_label,
        counted.attribute,
        counted.attribute_value,
        cast(counted.customers as integer) as customers,
        cast(counted.customers as double) / segment_sizes.segment_customers as share_of_segment,
        cast(counted.revenue as double) as revenue,
        counted.model_run_id
    from counted
    inner join segment_sizes
        on
            counted.store = segment_sizes.store
            and counted.segment_id = segment_sizes.segment_id

)

select * from final
