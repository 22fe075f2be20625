{#- Fails unless the column sums to `total` within `tolerance` (e.g. shares summing to 1), in
    each group of `group_by` (a list of columns; the whole table when empty). -#}
{% test column_sums_to(model, column_name, total=1, tolerance=0.000001, group_by=[]) %}

select column_total
from (
    select sum({{ column_name }}) as column_total
    from {{ model }}
    {%- if group_by %}
    group by {{ group_by | join(', ') }}
    {%- endif %}
) as summed
where column_total is null or abs(column_total - {{ total }}) > {{ tolerance }}

{% endtest %}
