-- Whether the student side was built on real exports or on the project's generated sample, so
-- that every reader can say so: the build sets STUDENTS_SYNTHETIC (true for its own generated
-- exports); a plain dbt run without STUDENTS_DIR reads the committed sample, also generated.
{%- set given_folder = var('students_dir') or env_var('STUDENTS_DIR', '') -%}
{%- set synthetic = env_var('STUDENTS_SYNTHETIC', 'false' if given_folder else 'true') | lower == 'true' -%}
{%- set generated = 'generated sample data (scripts/generate_students.py), not real students' -%}
{%- set given = 'the student exports given to the build' %}

select
    {{ 'true' if synthetic else 'false' }} as is_synthetic,
    cast('{{ generated if synthetic else given }}' as {{ dbt.type_string() }}) as description
