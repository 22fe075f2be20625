{#- Fails unless the column sums to `total` within `tolerance` (e.g. shares summing to 1). -#}
{% test column_sums_to(model, column_name, total=1, tolerance=0.000001) %}

select column_total
from (select sum({{ column_name }}) as column_total from {{ model }}) as summed
where column_total is null or abs(column_total - {{ total }}) > {{ tolerance }}

{% endtest %}
