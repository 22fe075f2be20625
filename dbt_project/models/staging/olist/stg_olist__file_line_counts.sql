-- One row per Olist file there is: its raw rows counted from the file apart from the loads (non-
-- blank lines less the header, less line breaks inside quoted fields), the rows its staging model
-- holds, and the reader's reject records. A reject can cover several lines (an opening quote never
-- closed runs on to the next quote), so rejected rows = raw rows - parsed rows. On Spark the raw
-- rows are those DuckDB counted in the same files at ingestion (macro olist_file_lines).
-- depends_on: {{ ref('stg_olist__parser_rejects') }}

with

{% for table in olist_tables() if olist_file_exists(table) -%}
    {{ table }}_counts as (

        select
            cast('{{ table }}' as {{ dbt.type_string() }}) as source_table,
            file_lines.n_file_lines - file_lines.n_line_breaks_in_records as n_raw_rows,
            (select count(*) as n_rows from {{ ref('stg_olist__' ~ table) }}) as n_parsed_rows,
            (
                select count(*) as n_rejects from {{ ref('stg_olist__parser_rejects') }} as rejects
                where rejects.source_table = '{{ table }}'
            ) as n_reject_records
        from ({{ olist_file_lines(table) }}) as file_lines

    ),

{% endfor -%}

unioned as (

    {% for table in olist_tables() if olist_file_exists(table) -%}
        select * from {{ table }}_counts
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}

),

final as (

    select
        source_table,
        cast(n_raw_rows as {{ dbt.type_bigint() }}) as n_raw_rows,
        cast(n_parsed_rows as {{ dbt.type_bigint() }}) as n_parsed_rows,
        cast(n_reject_records as {{ dbt.type_bigint() }}) as n_reject_records,
        cast(n_raw_rows - n_parsed_rows as {{ dbt.type_bigint() }}) as n_rejected_rows
    from unioned

)

select * from final
