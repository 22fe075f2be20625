{#- Fails unless the model has exactly one row (for single-value models such as the as-of date). -#}
{% test exactly_one_row(model) %}

select n_rows
from (select count(*) as n_rows from {{ model }}) as counted
where n_rows <> 1

{% endtest %}
