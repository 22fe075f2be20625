{#-
  Pre-hook of int_invoice_line_groups. An incremental load reads only the lines after the last
  one loaded, which is right only if the file is the one loaded before with lines appended. The
  line at the stored watermark must still be there, identical; otherwise every loaded group is
  deleted, and the model, finding no watermark, loads the whole file again. Either way the marts
  equal those of a full build.
-#}
{% macro retail_forget_unless_appended() -%}
    {%- if is_incremental() -%}
    {%- set col = retail_columns() -%}
    delete from {{ this }}
    where not exists (
        select 1
        from (
            select
                {{ retail_line_number(col) }} as line_number,
                {{ retail_line_hash(col) }} as line_hash
            from {{ source('retail', 'invoice_lines') }}
        ) as source_lines
        where source_lines.line_number = (select max(last_line_number) from {{ this }})
            and source_lines.line_hash = (
                select {{ value_at_max("last_line_hash", "last_line_number") }} from {{ this }}
            )
    )
    {%- endif -%}
{%- endmacro %}
