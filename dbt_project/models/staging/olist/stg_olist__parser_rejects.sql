-- Lines of the Olist exports that the CSV reader could not split: one row per file and line.
-- The pre-hooks read each file there is once with the reader's reject tables on.
{%- set tables = ['orders', 'customers', 'order_items', 'order_payments', 'products',
                  'category_translation', 'order_reviews', 'sellers', 'geolocation'] %}
{%- set hooks = [] %}
{%- for table in tables %}
    {%- do hooks.append("{% if olist_file_exists('" ~ table ~ "') %}{{ csv_reject_scan(source('olist', '"
        ~ table ~ "'), 'olist_" ~ table ~ "_rejects', 'OLIST_DIR') }}{% endif %}") %}
{%- endfor %}
{{ config(pre_hook=hooks) }}

{%- set present = [] %}
{%- for table in tables if olist_file_exists(table) %}
    {%- do present.append(table) %}
{%- endfor %}

with

{% for table in present -%}
    {{ table }}_rejects as (

        {{ csv_reject_rows('olist_' ~ table ~ '_rejects') }}

    ),

{% endfor -%}

final as (

    {% for table in present -%}
        select
            cast('{{ table }}' as {{ dbt.type_string() }}) as source_table,
            {{ table }}_rejects.*
        from {{ table }}_rejects
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}

)

select * from final
