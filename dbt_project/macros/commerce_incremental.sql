{#-
  The incremental tables of the commerce core (int_customer_order_totals, int_orders_summarised)
  recompute only the keys (customers, orders) a build's lines touch: those with a line loaded by
  this build (load_id) or dated between the as-of date the stored rows are valid for and this
  build's (such a line changes fate: after_as_of_date). Every other stored row is still what a full
  build would compute. A store is recomputed whole when none of its lines was loaded before this
  build (a first load, a file that is not an append, an adapter that reads its files whole) or
  when its stored rows were made by other rules (commerce_rules_fingerprint). The pre-hook
  commerce_forget_touched deletes what is recomputed; the post-hook commerce_stamp_as_of dates
  every row of the built stores with this build's as-of date.

  `keys` pairs each key column of the table with its column in the order lines, e.g.
  [['store', 'store'], ['customer_id', 'customer_id']].
-#}

{#- The keys of the order lines this build touches (see above), for a model's own table. -#}
{% macro commerce_touched_keys(keys) -%}
    select distinct
        {%- for key, line_column in keys %}
        lines.{{ line_column }} as {{ key }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_order_lines_classified') }} as lines
    inner join {{ ref('int_store_as_of_dates') }} as as_of
        on lines.store = as_of.store
    left join (
        select
            store,
            max(as_of_date) as stored_as_of
        from {{ this }}
        group by store
    ) as stored
        on lines.store = stored.store
    where
        stored.stored_as_of is null
        or lines.load_id = '{{ invocation_id }}'
        or (
            lines.order_date > least(stored.stored_as_of, as_of.as_of_date)
            and lines.order_date <= greatest(stored.stored_as_of, as_of.as_of_date)
        )
{%- endmacro %}

{#- The order lines a build aggregates: all of them on a full build, else the touched keys'. -#}
{% macro commerce_lines_in_scope(keys) -%}
    select lines.*
    from {{ ref('int_order_lines_classified') }} as lines
    {%- if is_incremental() %}
    inner join ({{ commerce_touched_keys(keys) }}) as touched
        on
        {%- for key, line_column in keys %}
            {{ 'and ' if not loop.first }}lines.{{ line_column }} = touched.{{ key }}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#- The stores to recompute whole: loaded whole by this build, or stored by other rules. -#}
{% macro commerce_stores_to_rebuild() -%}
    select store
    from {{ ref('int_order_lines_classified') }}
    group by store
    having sum(case when load_id = '{{ invocation_id }}' then 0 else 1 end) = 0

    union all

    select store
    from {{ this }}
    group by store
    having
        min(rules_fingerprint) <> {{ commerce_rules_fingerprint() }}
        or max(rules_fingerprint) <> {{ commerce_rules_fingerprint() }}
{%- endmacro %}

{#- Pre-hook: delete the rows this build recomputes. -#}
{% macro commerce_forget_touched(keys) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where
        store in ({{ commerce_stores_to_rebuild() }})
        or exists (
            select 1
            from ({{ commerce_touched_keys(keys) }}) as touched
            where
                {%- for key, _ in keys %}
                touched.{{ key }} = {{ this.identifier }}.{{ key }}{{ ' and' if not loop.last }}
                {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: every row of the stores this build includes is valid for its as-of date. (On Spark
    the tables are rebuilt whole, with that date already.) -#}
{% macro commerce_stamp_as_of() -%}
    {%- if target.type != 'spark' -%}
    update {{ this }}
    set as_of_date = as_of.as_of_date
    from {{ ref('int_store_as_of_dates') }} as as_of
    where {{ this.identifier }}.store = as_of.store
    {%- endif -%}
{%- endmacro %}

{#- The rules the stored rows were computed by: the model's code, the views it reads down to the
    loaded line groups (classification, the as-of rule) and their macros, as a string literal. -#}
{% macro commerce_rules_fingerprint() -%}
    '{{ local_md5(project_code_texts(model, through_views=true, own_macros=false) | join('\n')) }}'
{%- endmacro %}
