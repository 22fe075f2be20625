{#- The retail file: the `retail_path` var, else RETAIL_PATH, else the 8,000-odd line synthetic
    sample (macros/input_paths.sql says why). -#}
{% macro retail_path() -%}
    {{ return(var('retail_path') or env_var('RETAIL_PATH', 'sample_data/online_retail_sample.csv.gz')) }}
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
