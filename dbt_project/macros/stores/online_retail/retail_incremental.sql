{#-
  Pre-hook of int_invoice_line_groups. An incremental load reads only the lines after the last
  one loaded, which is right only if the file is the one loaded before with lines appended, and
  if the groups already loaded were made by the same rules. Every loaded group is deleted when
  the line at the stored watermark is no longer there, identical, or when the stored load
  fingerprint differs (the model, a macro it calls or the service-code seed was edited); the
  model, finding no watermark, then loads the whole file again. Either way the marts equal those
  of a full build.
-#}
{% macro retail_forget_unless_appended() -%}
    {%- if is_incremental() -%}
    {%- set has_fingerprint = adapter.get_columns_in_relation(this)
        | selectattr('name', 'equalto', 'load_fingerprint') | list | length > 0 -%}
    delete from {{ this }}
    where {% if has_fingerprint -%}
        exists (
            select 1 from {{ this }}
            where load_fingerprint is null or load_fingerprint <> {{ retail_load_fingerprint() }}
        )
    {%- else -%}
        true  -- loaded before fingerprints were stored
    {%- endif %}
    or not exists (
        select 1
        from {{ ref('stg_online_retail__raw_lines') }} as source_lines
        where source_lines.line_number = (select max(last_line_number) from {{ this }})
            and source_lines.line_hash = (
                select {{ value_at_max("last_line_hash", "last_line_number") }} from {{ this }}
            )
    )
    {%- endif -%}
{%- endmacro %}

{#-
  What decides how a line is grouped and classified at load time, as one value stored with every
  group: the model's code, the code of every project macro it calls (project_code_texts) and the
  service-code seed, and the order the file's dates are read in.
-#}
{% macro retail_load_fingerprint() -%}
    md5('{{ local_md5(project_code_texts(model) | join('\n')) }}{{ retail_date_order() }}' || coalesce((
        select {{ sorted_text_list('stock_code', '|') }}
        from {{ ref('retail_service_stock_codes') }}
    ), ''))
{%- endmacro %}
