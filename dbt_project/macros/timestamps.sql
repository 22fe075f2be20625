{#- Timestamps arrive as ISO text (`2010-12-01 08:26:00`, or a Parquet timestamp's text) or, in
    spreadsheet exports, with the date written with slashes: month first (`12/1/2010 8:26`) or day
    first (`01/12/2010 08:26`). Which of the two a file uses is decided once per file
    (decide_date_order below, stored by each store's date-order model), never line by line: read line by line, `01/12/2010` would be
    January in a day-first file. Anything else stays null and is flagged invalid. -#}
{% macro parse_timestamp(text, day_first=false) -%}
    coalesce(
        {{ dbt.safe_cast(text, api.Column.translate_type('timestamp')) }},
        {%- for layout in slash_timestamp_layouts(day_first) %}
        {{ try_parse_timestamp(text, strptime=layout.strptime, java=layout.java) }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- The slashed layouts of one date order, as DuckDB's strptime and Spark's (Java) pattern spell
    them; both accept one- and two-digit days, months and hours. -#}
{% macro slash_timestamp_layouts(day_first) -%}
    {%- set date = ('%d/%m/%Y', 'd/M/yyyy') if day_first else ('%m/%d/%Y', 'M/d/yyyy') -%}
    {{ return([
        {'strptime': date[0] ~ ' %H:%M', 'java': date[1] ~ ' H:mm'},
        {'strptime': date[0] ~ ' %H:%M:%S', 'java': date[1] ~ ' H:mm:ss'},
    ]) }}
{%- endmacro %}

{#- A timestamp in one layout, or null; the layout as DuckDB's strptime and as Spark's (Java)
    pattern spell it. -#}
{% macro try_parse_timestamp(text, strptime, java) -%}
    {{ return(adapter.dispatch('try_parse_timestamp')(text, strptime, java)) }}
{%- endmacro %}

{% macro default__try_parse_timestamp(text, strptime, java) -%}
    try_strptime({{ text }}, '{{ strptime }}')
{%- endmacro %}

{% macro spark__try_parse_timestamp(text, strptime, java) -%}
    try_to_timestamp({{ text }}, '{{ java }}')
{%- endmacro %}

{#-
  Whether a file writes its slashed dates month first (`12/13/2010 8:26`, the UCI spreadsheet
  export) or day first (`13/12/2010 08:26`), decided once for the whole file from the text column
  `column` of `lines` (a relation of its raw lines). A line is decisive when it reads in one
  order only (a day above 12); lines like `01/12/2010` read both ways and follow the file. The
  var `order_var` (auto, month_first, day_first) overrides the decision. Decided on the first
  lines of the file (var `date_order_sample`); when every slashed date there reads both ways, on
  the first decisive line of the whole file; when none does, month first. A file whose first
  lines hold decisive dates of both orders is refused, naming the file's field `field`: one order
  would misread the other's ambiguous dates without a trace.
-#}
{% macro decide_date_order(lines, column, field, order_var) -%}
    {%- set given = var(order_var, 'auto') -%}
    {%- if given not in ['auto', 'month_first', 'day_first'] -%}
        {{ exceptions.raise_compiler_error("dbt var " ~ order_var ~ " is '" ~ given
            ~ "'; use auto, month_first or day_first") }}
    {%- endif -%}
    {%- if given != 'auto' -%}
        {{ return({'date_order': given, 'decided_by': order_var ~ ' var', 'example': none}) }}
    {%- endif -%}
    {%- if load_relation(lines) is none -%}
        {#- compiled without a build (dbt compile, the SQL linter): nothing to read yet #}
        {{ return({'date_order': 'month_first', 'decided_by': 'default', 'example': none}) }}
    {%- endif -%}
    {%- set sample_size = var('date_order_sample', 1000000) -%}
    {%- set sampled = run_query(slashed_dates(
        'select * from ' ~ lines ~ ' limit ' ~ sample_size, column) ~ "
        select
            count(*) as n_slashed,
            count(case when month_first_only then 1 end) as n_month_first,
            count(case when day_first_only then 1 end) as n_day_first,
            min(case when month_first_only then timestamp_text end) as month_first_example,
            min(case when day_first_only then timestamp_text end) as day_first_example
        from slashed_dates") -%}
    {%- set row = sampled.rows[0] -%}
    {%- if row['n_month_first'] > 0 and row['n_day_first'] > 0 -%}
        {{ exceptions.raise_compiler_error(
            "data error: " ~ field ~ " is written month first on " ~ '{:,}'.format(row['n_month_first'] | int)
            ~ " lines (e.g. " ~ row['month_first_example'] ~ ") and day first on "
            ~ '{:,}'.format(row['n_day_first'] | int) ~ " (e.g. " ~ row['day_first_example']
            ~ ") in its first " ~ '{:,}'.format(sample_size) ~ " lines; to read every date one way, pass"
            ~ ' --vars \'{"' ~ order_var ~ '": "day_first"}\' (or month_first): lines that do not'
            ~ " read that way are then counted as invalid") }}
    {%- elif row['n_month_first'] > 0 -%}
        {{ return({'date_order': 'month_first', 'decided_by': 'file', 'example': row['month_first_example']}) }}
    {%- elif row['n_day_first'] > 0 -%}
        {{ return({'date_order': 'day_first', 'decided_by': 'file', 'example': row['day_first_example']}) }}
    {%- elif row['n_slashed'] > 0 -%}
        {%- set decisive = run_query(slashed_dates('select * from ' ~ lines, column) ~ "
            select timestamp_text, month_first_only
            from slashed_dates
            where month_first_only or day_first_only
            limit 1") -%}
        {%- if decisive.rows | length > 0 -%}
            {{ return({
                'date_order': 'month_first' if decisive.rows[0]['month_first_only'] else 'day_first',
                'decided_by': 'file',
                'example': decisive.rows[0]['timestamp_text'],
            }) }}
        {%- endif -%}
    {%- endif -%}
    {{ return({'date_order': 'month_first', 'decided_by': 'default', 'example': none}) }}
{%- endmacro %}

{#- A CTE `slashed_dates` over `lines_sql` (raw lines): the text of each slashed timestamp of
    `column` and whether it reads month first only or day first only. -#}
{% macro slashed_dates(lines_sql, column) -%}
    with slashed_dates as (
        select
            timestamp_text,
            {{ parse_timestamp('timestamp_text', day_first=false) }} is not null
                and {{ parse_timestamp('timestamp_text', day_first=true) }} is null as month_first_only,
            {{ parse_timestamp('timestamp_text', day_first=true) }} is not null
                and {{ parse_timestamp('timestamp_text', day_first=false) }} is null as day_first_only
        from (
            select trim(cast({{ column }} as {{ dbt.type_string() }})) as timestamp_text
            from ({{ lines_sql }}) as lines
        ) as timestamps
        where timestamp_text like '%/%'
    )
{%- endmacro %}

{#- The date order a file's timestamps are read in, as `stored` (the store's date-order model)
    holds it once it has run (every build runs it first); decided afresh by `decide` otherwise
    (`dbt compile` on a new warehouse; month first without `decide`). -#}
{% macro stored_date_order(stored, decide) -%}
    {%- if not execute -%}
        {{ return('month_first') }}
    {%- endif -%}
    {%- if load_relation(stored) is none -%}
        {{ return(decide().date_order if decide else 'month_first') }}
    {%- endif -%}
    {{ return(run_query('select date_order from ' ~ stored).columns[0].values()[0]) }}
{%- endmacro %}

{#- The model that stores a file's date order: `decision` as one row. -#}
{% macro date_order_row(decision) -%}
    select
        {{ sql_string(decision.date_order) }} as date_order,
        {{ sql_string(decision.decided_by) }} as decided_by,
        {% if decision.example -%}
        {{ sql_string(decision.example) }}
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as example_timestamp
{%- endmacro %}
