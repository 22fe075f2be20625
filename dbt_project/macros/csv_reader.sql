{#-
  How every raw CSV file is read: with DuckDB's own reader, but without its sniffer. The sniffer
  guesses the dialect from a sample and fails the whole file when one malformed line falls inside
  the sample (a stray quote early in the file), while the same line later in the file would only
  be rejected. With the dialect fixed (comma, double quote, header row, every column as text) a
  malformed line is treated the same wherever it is: the reader rejects it, the reject is kept,
  and the reconciliation counts each physical line it covers. Lines longer than the reader's
  limit (a 5 MB field) are rejected the same way. Files are read as UTF-8: scripts/build_warehouse.py
  converts a file in another encoding (cp1252, as spreadsheet exports often are) before the build.

  `path_relation` is a source whose external_location is the file's path as a SQL string
  literal (sources/*.yml quote it; a path may hold any character, `'` included).
-#}

{#- A text as a SQL string literal: quotes doubled, so a path is always read as itself. -#}
{% macro sql_string(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{#- Stop with one line naming the file and the variable that sets it when the file is missing. -#}
{% macro require_input_file(path_relation, variable) -%}
    {%- if execute -%}
        {%- set found = run_query('select count(*) from glob(' ~ path_relation ~ ')').columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {{ exceptions.raise_compiler_error(path_relation ~ ": file does not exist (set " ~ variable
                ~ " to the input's path; relative paths are relative to dbt_project/)") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The column names of a CSV file's header row, read as one line of text (no sniffing). -#}
{% macro csv_header_names(path_relation, variable) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- do require_input_file(path_relation, variable) -%}
    {%- set header_query -%}
        select header_line
        from read_csv({{ path_relation }}, header = false, auto_detect = false,
            columns = {'header_line': 'VARCHAR'}, delim = '{{ "\x1f" }}', quote = '', escape = '',
            strict_mode = false, ignore_errors = true)
        limit 1
    {%- endset -%}
    {%- set rows = run_query(header_query).rows -%}
    {%- if rows | length == 0 or not rows[0][0] -%}
        {{ exceptions.raise_compiler_error(path_relation ~ ": no header row") }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for raw_name in rows[0][0].replace('\ufeff', '').rstrip('\r').split(',') -%}
        {%- set name = raw_name.strip().strip('"').strip() -%}
        {%- do names.append(name if name else 'column' ~ loop.index) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- A CSV file as a table of text columns named by its header. Lines the reader cannot split
    go to the connection's reject tables `<rejects>_reject_scans` / `<rejects>_reject_errors`
    (csv_reject_scan and csv_reject_rows list them in a model). `variable` names what sets the
    path, for the error when the file is missing. -#}
{% macro read_csv_file(path_relation, rejects, variable='STUDENTS_DIR') -%}
    {%- set names = csv_header_names(path_relation, variable) -%}
    read_csv({{ path_relation }}, header = true, auto_detect = false,
        columns = {
        {%- for name in names %}
            {{ sql_string(name) }}: 'VARCHAR'{{ ',' if not loop.last }}
        {%- endfor %}
        },
        delim = ',', quote = '"', escape = '"',
        store_rejects = true, rejects_scan = '{{ rejects }}_reject_scans',
        rejects_table = '{{ rejects }}_reject_errors')
{%- endmacro %}

{#- A pre-hook that reads every field of every line of a CSV file once, with the reader's reject
    tables `<rejects>_reject_scans` / `<rejects>_reject_errors` on, so that the model it runs
    before can list the lines the reader rejected (csv_reject_rows). Reject tables live on the
    connection, so the scan and the listing must run in the same model. -#}
{% macro csv_reject_scan(path_relation, rejects, variable='STUDENTS_DIR') -%}
    create or replace temp table {{ rejects }}_scanned as
    select count(*) as n_records
    from {{ read_csv_file(path_relation, rejects, variable) }}
    where concat_ws('|', columns(*)) is not null
{%- endmacro %}

{#- The rows of a parser-rejects model when the file has no rejects to list (Parquet): none, with
    the columns csv_reject_rows gives. -#}
{% macro no_parser_rejects() -%}
    select
        cast(null as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as error_type,
        cast(null as {{ dbt.type_string() }}) as error_message,
        cast(null as {{ dbt.type_string() }}) as raw_line
    where false
{%- endmacro %}

{#- The lines csv_reject_scan found rejected: one row per line, with the reader's errors (all of
    them for the line) and its raw text. -#}
{% macro csv_reject_rows(rejects) -%}
    select
        line as line_number,
        min(cast(error_type as {{ dbt.type_string() }})) as error_type,
        {{ dbt.listagg('error_message', "'; '", 'order by column_name') }} as error_message,
        min(csv_line) as raw_line
    from {{ rejects }}_reject_errors
    group by line
{%- endmacro %}

{#- One row counting the lines of a CSV file apart from the load: its non-blank lines read as plain
    text (no quoting, no columns) less the header, and the line breaks inside quoted fields of
    the records the reader returns (such a record spans several lines but is one raw row). Raw
    rows = n_file_lines - n_line_breaks_in_records; what the reader did not return was rejected. -#}
{% macro csv_line_counts(path_relation, rejects, variable) -%}
    select
        (
            select count(text_line) - 1
            from {{ plain_text_lines(path_relation) }}
        ) as n_file_lines,
        (
            select coalesce(sum(length(record_text) - length(replace(record_text, chr(10), ''))), 0)
            from (
                select concat_ws('', columns(*)) as record_text
                from {{ read_csv_file(path_relation, rejects, variable) }}
            ) as records
            where strpos(record_text, chr(10)) > 0
        ) as n_line_breaks_in_records
{%- endmacro %}

{#- A file's lines as plain text (column text_line: no quoting, no columns), for counting them
    apart from the load. A line may be up to 64 MiB (a stray quote in a big export); the reader's
    buffer is set to that size, as its default is sixteen times the line size: 1 GiB per file
    read, which two counts at once cannot get under a 2 GB memory limit. -#}
{% macro plain_text_lines(path_relation) -%}
    read_csv({{ path_relation }}, header = false, auto_detect = false,
        columns = {'text_line': 'VARCHAR'}, delim = '{{ "\x1f" }}', quote = '', escape = '',
        strict_mode = false, max_line_size = 67108864, buffer_size = 67108864)
{%- endmacro %}
