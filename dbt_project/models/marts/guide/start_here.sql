-- One row per table a reader writing SQL starts with, in reading order: the question it answers,
-- its grain and the first sentence of its description (from its yml, so the two cannot disagree).
-- Names only, no refs: the table reads none of them, so it is built in every build that is not
-- limited to one domain; tests/integration/test_project_layout.py checks each one is published.
-- Every other mart is evidence (model versions, evaluations, reconciliations), described by its
-- own comment.

{% set tables = [
    ('fct_orders', 'what was sold', "store, order (net order_value, in the store's currency: seed stores.currency)"),
    ('fct_customer_rfm', 'who the customers are', 'store, customer: recency, frequency, monetary, named RFM segment'),
    ('customer_segments', 'which segment each customer is in', 'store, customer (changed_in_latest_run: who moved in the latest run)'),
    ('customer_segment_changes', 'who changed segment, and when', 'store, customer and move'),
    ('segment_profiles', 'what each segment is', 'store, segment: size, revenue, R/F/M, suggestion'),
    ('customer_lifetime_value', 'what each customer is worth, and who is at risk', 'store, customer'),
    ('segment_clv', 'what each segment is worth', 'store, segment'),
    ('customer_recommendations', 'what to offer each customer', 'store, customer, rank'),
    ('fct_students_cohort', "the school's students", 'student of the 2020 cohort'),
] %}

{% set unknown = [] %}
{% for name, question, grain in tables if execute and 'model.' ~ project_name ~ '.' ~ name not in graph.nodes %}
    {% do unknown.append(name) %}
{% endfor %}
{% if unknown %}
    {% do exceptions.raise_compiler_error("start_here names " ~ unknown | join(", ") ~ ": not models of this project") %}
{% endif %}

{% for name, question, grain in tables %}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ name, {}) if execute else {} -%}
    {%- set summary = (node.get('description', '') | replace('\n', ' ')).split('. ')[0].strip().rstrip('.') -%}
    select
        cast({{ loop.index }} as integer) as reading_order,
        cast('{{ question | replace("'", "''") }}' as string) as question,
        cast('{{ node.get("schema", "marts") ~ "." ~ node.get("alias", name) }}' as string) as table_name,
        cast('{{ grain | replace("'", "''") }}' as string) as one_row_per,
        cast('{{ summary | replace("'", "''") }}.' as string) as summary
    {% if not loop.last %}union all{% endif %}
{% endfor %}
