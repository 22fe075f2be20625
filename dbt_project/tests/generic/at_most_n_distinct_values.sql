{#- Fails when the column has more than max_values distinct values (e.g. a top-N bucket). -#}
{% test at_most_n_distinct_values(model, column_name, max_values) %}

select n_values
from (select count(distinct {{ column_name }}) as n_values from {{ model }}) as counted
where n_values > {{ max_values }}

{% endtest %}
