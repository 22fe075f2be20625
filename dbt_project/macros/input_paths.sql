{#-
  Where the raw inputs are: the input's var when given on the command line (`students_dir`; each
  store's in macros/stores/<store>/), else its environment variable (STUDENTS_DIR; what
  scripts/build_warehouse.py sets), else the small synthetic sample shipped in sample_data/ (800
  students: enough to build and test every model; `make run` builds on larger generated data).
  Relative paths are relative to dbt_project/, where dbt runs. Environment variables rather than
  vars keep dbt's partial parsing: a changed var forces a full parse of the project, a changed
  environment variable only re-parses the files that read it.
-#}
{% macro students_dir() -%}
    {{ return(var('students_dir') or env_var('STUDENTS_DIR', 'sample_data/students')) }}
{%- endmacro %}
