-- Lines of the orders CSV the reader could not split (wrong number of fields, a line over the
-- reader's limit, an opening quote never closed): one row per reject, with the reader's errors
-- and the raw text. The pre-hook reads every field of every line once with the reader's reject
-- tables on; the model lists what they caught. Parquet has no rejects.
{%- set is_parquet = orders_path().lower().endswith('.parquet') %}
{{ config(pre_hook=[] if is_parquet
    else ["{{ csv_reject_scan(source('generic_orders', 'order_lines'), 'generic_orders_rejects', 'ORDERS_PATH') }}"]) }}

with

{% if is_parquet -%}

final as (

    {{ no_parser_rejects() }}

)

{%- else -%}

    final as (

        {{ csv_reject_rows('generic_orders_rejects') }}

    )

{%- endif %}

select * from final
