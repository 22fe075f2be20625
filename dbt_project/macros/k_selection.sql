{#- The typed columns of a k-selection table (customer segments, student segments, interest
    segments, product categories), in the order given: every k-selection mart publishes a column
    of one name with one type. -#}
{% macro k_selection_columns(columns) -%}
{%- set types = {
    'store': dbt.type_string(),
    'k': 'integer',
    'inertia': 'double',
    'silhouette': 'double',
    'calinski_harabasz': 'double',
    'davies_bouldin': 'double',
    'silhouette_sample_size': 'integer',
    'fit_sample_size': 'integer',
    'is_chosen': 'boolean',
    'is_elbow': 'boolean',
    'choice_reason': dbt.type_string(),
    'n_customers': 'integer',
    'n_students': 'integer',
    'n_products': 'integer',
    'random_state': 'integer',
    'n_init': 'integer',
    'model_run_id': dbt.type_string(),
} -%}
{%- for column in columns %}
        cast({{ column }} as {{ types[column] }}) as {{ column }}{{ ',' if not loop.last }}
{%- endfor %}
{%- endmacro %}
