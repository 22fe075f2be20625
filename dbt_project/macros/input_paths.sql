{#-
  Where the raw inputs are: the `retail_path` / `students_dir` var when given on the command line,
  else the RETAIL_PATH / STUDENTS_DIR environment variable (what scripts/build_warehouse.py sets),
  else the small synthetic sample shipped in sample_data/ (8,000-odd lines, 800 students: enough
  to build and test every model; `make run` builds on larger generated data). Relative paths are
  relative to dbt_project/, where dbt runs. Environment variables rather than vars keep dbt's partial
  parsing: a changed var forces a full parse of the project, a changed environment variable only
  re-parses the files that read it.
-#}
{% macro retail_path() -%}
    {{ return(var('retail_path') or env_var('RETAIL_PATH', 'sample_data/online_retail_sample.csv.gz')) }}
{%- endmacro %}

{#- Store generic_orders has no sample: it is built from a file given. -#}
{% macro orders_path() -%}
    {{ return(var('orders_path') or env_var('ORDERS_PATH', '')) }}
{%- endmacro %}

{% macro students_dir() -%}
    {{ return(var('students_dir') or env_var('STUDENTS_DIR', 'sample_data/students')) }}
{%- endmacro %}

{#- The raw retail file as a table: Parquet through its reader (rows numbered by the reader), CSV
    through read_csv_file (macros/csv_reader.sql). A scan
    other than the load names its own reject tables (`rejects`), so as not to touch the load's. -#}
{% macro retail_raw_lines(rejects='retail') -%}
    {%- set file = source('online_retail', 'invoice_lines') -%}
    {%- if retail_path().lower().endswith('.parquet') -%}
    {%- do require_input_file(file, 'RETAIL_PATH') -%}
    read_parquet({{ file }}, file_row_number = true)
    {%- else -%}
    {{ read_csv_file(file, rejects, 'RETAIL_PATH') }}
    {%- endif -%}
{%- endmacro %}
