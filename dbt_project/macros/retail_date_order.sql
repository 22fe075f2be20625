{#-
  Whether a retail file writes its slashed dates month first (`12/13/2010 8:26`, the UCI
  spreadsheet export) or day first (`13/12/2010 08:26`), decided once for the whole file. A line
  is decisive when it reads in one order only (a day above 12); lines like `01/12/2010` read
  both ways and follow the file. The `retail_date_order` var (auto, month_first, day_first)
  overrides the decision. Decided on the first lines of the file (`retail_date_order_sample`);
  when every slashed date there reads both ways, on the first decisive line of the whole file;
  when none does, month first. A file whose first lines hold decisive dates of both orders is
  refused: one order would misread the other's ambiguous dates without a trace.
-#}
{% macro decide_retail_date_order() -%}
    {%- set given = var('retail_date_order', 'auto') -%}
    {%- if given not in ['auto', 'month_first', 'day_first'] -%}
        {{ exceptions.raise_compiler_error("dbt var retail_date_order is '" ~ given
            ~ "'; use auto, month_first or day_first") }}
    {%- endif -%}
    {%- if given != 'auto' -%}
        {{ return({'date_order': given, 'decided_by': 'retail_date_order var', 'example': none}) }}
    {%- endif -%}
    {%- set sample_size = var('retail_date_order_sample', 1000000) -%}
    {%- set sampled = run_query(retail_slashed_dates(
        'select * from ' ~ ref('stg_online_retail__raw_lines') ~ ' limit ' ~ sample_size) ~ "
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
            "data error: InvoiceDate is written month first on " ~ '{:,}'.format(row['n_month_first'] | int)
            ~ " lines (e.g. " ~ row['month_first_example'] ~ ") and day first on "
            ~ '{:,}'.format(row['n_day_first'] | int) ~ " (e.g. " ~ row['day_first_example']
            ~ ") in its first " ~ '{:,}'.format(sample_size) ~ " lines; to read every date one way, pass"
            ~ ' --vars \'{"retail_date_order": "day_first"}\' (or month_first): lines that do not'
            ~ " read that way are then counted as invalid") }}
    {%- elif row['n_month_first'] > 0 -%}
        {{ return({'date_order': 'month_first', 'decided_by': 'file', 'example': row['month_first_example']}) }}
    {%- elif row['n_day_first'] > 0 -%}
        {{ return({'date_order': 'day_first', 'decided_by': 'file', 'example': row['day_first_example']}) }}
    {%- elif row['n_slashed'] > 0 -%}
        {%- set decisive = run_query(retail_slashed_dates(
            'select * from ' ~ ref('stg_online_retail__raw_lines')) ~ "
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

{#- A CTE `slashed_dates` over `lines_sql` (raw lines): each slashed timestamp's text and whether
    it reads month first only or day first only. -#}
{% macro retail_slashed_dates(lines_sql) -%}
    with slashed_dates as (
        select
            timestamp_text,
            {{ parse_timestamp('timestamp_text', day_first=false) }} is not null
                and {{ parse_timestamp('timestamp_text', day_first=true) }} is null as month_first_only,
            {{ parse_timestamp('timestamp_text', day_first=true) }} is not null
                and {{ parse_timestamp('timestamp_text', day_first=false) }} is null as day_first_only
        from (
            select trim(cast(invoice_date_raw as {{ dbt.type_string() }})) as timestamp_text
            from ({{ lines_sql }}) as lines
        ) as timestamps
        where timestamp_text like '%/%'
    )
{%- endmacro %}

{#- The date order the file's timestamps are read in: stored by stg_online_retail__date_order
    when it has run (every build runs it first), decided afresh otherwise (`dbt compile` on a new
    warehouse). -#}
{% macro retail_date_order() -%}
    {%- set stored = ref('stg_online_retail__date_order') -%}
    {%- if not execute -%}
        {{ return('month_first') }}
    {%- endif -%}
    {%- if load_relation(stored) is none -%}
        {{ return(decide_retail_date_order().date_order) }}
    {%- endif -%}
    {{ return(run_query('select date_order from ' ~ stored).columns[0].values()[0]) }}
{%- endmacro %}
