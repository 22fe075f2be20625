"""The same-work floor: the project's whole commerce build of one store (online_retail) as one
script of DuckDB SQL plus scikit-learn. No dbt, no tests, no warehouse file.

    python -m bench.same_work_floor FILE.parquet OUT_DIR

From the benchmark's Parquet file it computes what `build_warehouse.py --only commerce`
publishes, by the project's definitions:
- the line rules (exact duplicates once, invalid values, no customer, adjustments, cancellations,
  service codes of the seed, non-positive price or quantity) and RFM per customer with its 1-5
  scores and named segment (marts.fct_customer_rfm): SQL;
- customer segments, k chosen by silhouette (marts.customer_segments, segment_k_selection);
- product categories clustered from descriptions, with the seed's overrides (dim_products,
  product_categories);
- customers' category shares, interest segments and the interest prediction with its evaluation
  (customer_interest_segments, interest_k_selection, interest_prediction_evaluation);
- association rules (product_associations), popularity, next-best products
  (customer_recommendations) and their offline evaluation against popularity
  (recommendation_evaluation): SQL, a simpler formulation of the project's macros that gives the
  same rules and lists.
The scikit-learn steps call the project's pure functions in models_py (k selection, KMeans
fits, the segment model, the text clustering of descriptions, interest segments, the interest
classifier): the same computation as the dbt Python models, without dbt. Tables are Parquet
files in OUT_DIR (OUTPUTS).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import duckdb
import pandas as pd

from bench.same_work_vars import (
    HOLDOUT_DAYS,
    MAX_BASKET_PRODUCTS,
    MAX_CUSTOMER_PRODUCTS,
    MAX_RULES_PER_PRODUCT,
    MIN_BASKETS,
    MIN_SUPPORT,
    NEW_CUSTOMER_MONTHS,
    PER_CUSTOMER,
    POOL,
    STORE,
)
from models_py import features, interests, k_selection, product_categories
from models_py.clustering import pca_coordinates
from models_py.segment_model import SegmentModel
from scripts.dbt_runner import duckdb_memory_limit
from scripts.input_files import estimated_lines
from scripts.project_paths import SEEDS_DIR

RUN_ID = "same_work_floor"
INTEGER_TYPES = {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"}
OUTPUTS = (
    "rfm",
    "segment_k_selection",
    "customer_segments",
    "product_category_k_selection",
    "dim_products",
    "product_categories",
    "interest_k_selection",
    "customer_interest_segments",
    "interest_prediction_evaluation",
    "product_associations",
    "product_popularity",
    "customer_recommendations",
    "recommendation_evaluation_lists",
    "recommendation_evaluation",
)


def save(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Table `name` from a DataFrame."""
    con.register("frame_to_save", frame)
    con.execute(f"create table {name} as select * from frame_to_save")
    con.unregister("frame_to_save")


def whole_number(column: str, column_type: str) -> str:
    """A whole number: an integer column as it is; text or a float through its value (`6.0` is 6,
    `6.5` is invalid)."""
    if column_type.upper() in INTEGER_TYPES:
        return f'cast("{column}" as bigint)'
    value = f'try_cast(trim(cast("{column}" as varchar)) as double)'
    return f"case when {value} = floor({value}) then try_cast({value} as bigint) end"


def load_lines(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Table `lines`: the distinct raw lines of known customers whose fields all parse, grouped
    per invoice, timestamp, customer, country, product, description and fate (as the project's
    product lines), with their reason and whether they make up monetary; and the dates."""
    described = con.execute("describe select * from read_parquet($p)", {"p": path}).fetchall()
    types = {row[0]: row[1] for row in described}
    date_text = 'trim(cast("InvoiceDate" as varchar))'
    invoiced_at = (
        f"coalesce(try_cast({date_text} as timestamp),"
        f" try_strptime({date_text}, '%m/%d/%Y %H:%M'),"
        f" try_strptime({date_text}, '%m/%d/%Y %H:%M:%S'))"
    )
    # a fingerprint of each raw line, read from the file at each use: a CTE read three times
    # would be held whole in memory, where three scans of the file stream
    fields = ", ".join(f'"{name}"' for name in types)
    hashed = f"select *, hash({fields}) as line_hash from read_parquet($path)"
    con.execute(
        "create table service_codes as select distinct stock_code"
        f" from read_csv('{SEEDS_DIR / 'retail_service_stock_codes.csv'}', all_varchar = true)"
    )
    con.execute(
        f"""
        create table lines as
        with
        repeated as (
            select line_hash from ({hashed}) group by line_hash having count(*) > 1
        ),
        raw as (
            -- exact duplicates count once; only the few lines whose fingerprint repeats are
            -- compared field by field (grouping every line by all its fields costs the most)
            select * exclude (line_hash) from ({hashed})
            where line_hash not in (select line_hash from repeated)
            union all
            select distinct * exclude (line_hash) from ({hashed})
            where line_hash in (select line_hash from repeated)
        ),
        typed as (
            select
                trim(cast("InvoiceNo" as varchar)) as order_id,
                trim(cast("StockCode" as varchar)) as product_id,
                nullif(trim(cast("Description" as varchar)), '') as description,
                {whole_number("Quantity", types["Quantity"])} as quantity,
                {invoiced_at} as invoiced_at,
                try_cast("UnitPrice" as decimal(18, 6)) as unit_price,
                {whole_number("CustomerID", types["CustomerID"])} as customer_id,
                nullif(trim(cast("CustomerID" as varchar)), '') is null as no_customer,
                nullif(trim(cast("Country" as varchar)), '') as country
            from raw
        ),
        valid as (
            select
                *,
                product_id in (select stock_code from service_codes) as is_service,
                coalesce(quantity > 0 and unit_price > 0, false) as is_positive
            from typed
            where not no_customer
                and nullif(order_id, '') is not null
                and quantity is not null
                and invoiced_at is not null
                and unit_price is not null
                and customer_id is not null
        ),
        classified as (
            select
                *,
                case
                    when upper(order_id) like 'C%' then 'cancellation'
                    when upper(order_id) like 'A%' then 'adjustment'
                    when is_service then 'service_code'
                    when not is_positive then 'non_positive_price_or_quantity'
                    else 'purchase'
                end as reason
            from valid
        )
        select
            order_id,
            customer_id,
            country,
            invoiced_at,
            cast(invoiced_at as date) as order_date,
            product_id,
            description,
            is_service,
            is_positive,
            reason,
            reason = 'purchase' or (reason = 'cancellation' and not is_service)
                as counts_in_monetary,
            count(*) as n_lines,
            sum(quantity * unit_price) as line_value
        from classified
        group by all
        """,
        {"path": path},
    )
    # the as-of date: the day after the last parseable invoice date of any line
    con.execute(
        f"""
        create table dates as
        select
            last_order_date,
            last_order_date + 1 as as_of_date,
            cast(last_order_date + (1 - {HOLDOUT_DAYS}) as date) as cutoff_date
        from (select max(cast({invoiced_at} as date)) as last_order_date from read_parquet($path))
        """,
        {"path": path},
    )


def rfm(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Tables `customers` (main country) and `rfm` (customers with purchases): recency,
    frequency, monetary (purchases less product lines of cancellations), scores, named segment."""
    con.execute(
        "create table rfm_rules as select * from read_csv($p)",
        {"p": str(SEEDS_DIR / "rfm_segment_rules.csv")},
    )
    con.execute(
        """
        create table customers as
        select customer_id, arg_min(country, (-n_lines, country)) as country
        from (
            select customer_id, country, sum(n_lines) as n_lines
            from lines
            where country is not null
            group by all
        )
        group by customer_id
        """
    )
    con.execute(
        """
        create table rfm as
        with
        totals as (
            select
                customer_id,
                max(order_date) filter (where reason = 'purchase') as last_purchase_date,
                count(distinct order_id) filter (where reason = 'purchase') as frequency,
                coalesce(sum(line_value) filter (where counts_in_monetary), 0) as monetary
            from lines
            group by customer_id
        ),
        measured as (
            select
                customer_id,
                cast(dates.as_of_date - last_purchase_date as integer) as recency_days,
                cast(frequency as integer) as frequency,
                cast(monetary as double) as monetary,
                monetary as exact_monetary
            from totals, dates
            where frequency > 0
        ),
        scored as (
            select
                *,
                cast(least(5, 1 + floor(5 * percent_rank() over (order by recency_days desc)))
                    as integer) as r_score,
                cast(least(5, 1 + floor(5 * percent_rank() over (order by frequency)))
                    as integer) as f_score,
                cast(least(5, 1 + floor(5 * percent_rank() over (order by exact_monetary)))
                    as integer) as m_score
            from measured
        )
        select
            scored.* exclude (exact_monetary),
            arg_min(rules.rfm_segment, rules.rule_order) as rfm_segment
        from scored
        inner join rfm_rules as rules
            on scored.r_score between rules.r_min and rules.r_max
            and scored.f_score between rules.f_min and rules.f_max
        group by all
        order by customer_id
        """
    )
    return con.execute("select * from rfm").df()


def segments(con: duckdb.DuckDBPyConnection, rfm_table: pd.DataFrame) -> SegmentModel:
    """Tables `segment_k_selection` and `customer_segments`: k chosen on the customers with
    purchases and positive monetary, the segment model fitted on all of them, each customer's
    segment (models_py, as the dbt models int_segment_fits and int_customer_segments)."""
    rule_order = pd.read_csv(SEEDS_DIR / "rfm_segment_rules.csv").sort_values("rule_order")
    customers = features.segmentable_customers(rfm_table)
    scaled = features.scale_features(customers, features.fit_scaler(customers))
    selection, choice = k_selection.k_selection_table(scaled)
    names = dict(zip(rule_order["rfm_segment"], rule_order["segment_name"], strict=True))
    model = SegmentModel.fit(customers, choice.k, RUN_ID, list(names), segment_names=names)
    segment_id, _ = model.assign(customers[list(model.features)].to_numpy(float))
    pca = pca_coordinates(features.scale_features(customers, model.scaler))
    save(con, "segment_k_selection", selection.assign(n_customers=len(customers)))
    customer_segments = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy("int64"),
            "segment_id": segment_id.astype("int32"),
            "segment_label": [model.label(s) for s in segment_id],
            "rfm_segment": customers["rfm_segment"].to_numpy(),
            "pca_1": pca[:, 0],
            "pca_2": pca[:, 1],
        }
    )
    save(con, "customer_segments", customer_segments)
    return model


def categories(con: duckdb.DuckDBPyConnection) -> None:
    """Tables `dim_products` (products sold to a known customer: canonical description, revenue,
    category) and `product_categories`, `product_category_k_selection` (models_py's text
    clustering of the descriptions, k chosen by silhouette, the seed's overrides)."""
    con.execute(
        """
        create table products as
        with
        sold as (
            select * from lines where counts_in_monetary and not is_service
        ),
        descriptions as (
            select product_id, arg_min(description, (-n_lines, description)) as description
            from (
                select product_id, description, sum(n_lines) as n_lines
                from sold
                where reason = 'purchase' and description is not null
                group by all
            )
            group by product_id
        )
        select
            sales.product_id,
            descriptions.description,
            cast(sales.revenue as double) as revenue,
            sales.customers
        from (
            select
                product_id,
                sum(line_value) as revenue,
                count(distinct customer_id) filter (where reason = 'purchase') as customers
            from sold
            group by product_id
            having count(*) filter (where reason = 'purchase') > 0
        ) as sales
        left join descriptions using (product_id)
        order by product_id
        """
    )
    products = con.execute("select * from products").df()
    overrides = pd.read_csv(SEEDS_DIR / "product_category_overrides.csv")
    overrides = overrides.loc[overrides["store"] == STORE]
    selection, product_features = product_categories.category_k_selection(products)
    k = int(selection.loc[selection["is_chosen"], "k"].iloc[0])
    assigned, category_table = product_categories.categorise_products(
        products, k, overrides, features=product_features
    )
    save(con, "product_category_k_selection", selection)
    save(con, "assigned", assigned)
    con.execute(
        "create table dim_products as select products.*, assigned.category_id,"
        " assigned.category_name, assigned.is_override"
        " from products inner join assigned using (product_id) order by product_id"
    )
    save(con, "product_categories", category_table)


def interest_side(con: duckdb.DuckDBPyConnection) -> None:
    """Tables `interest_k_selection`, `customer_interest_segments` (customers clustered on their
    shares of net spend per category) and `interest_prediction_evaluation` (a new customer's
    dominant category from their first order, time split, against two baselines)."""
    shares = con.execute(
        """
        with spend as (
            select
                lines.customer_id,
                products.category_id,
                products.category_name,
                cast(sum(lines.line_value) as double) as net_spend
            from lines
            inner join dim_products as products using (product_id)
            where lines.counts_in_monetary and not lines.is_service
            group by all
        )
        select
            *,
            net_spend / sum(net_spend) over (partition by customer_id) as share,
            row_number() over (
                partition by customer_id order by net_spend desc, category_id asc
            ) = 1 as is_dominant
        from spend
        where net_spend > 0
        order by customer_id, category_id
        """
    ).df()
    selection, assignments, _ = interests.interest_segments(shares, None, RUN_ID)
    save(con, "interest_k_selection", selection)
    save(con, "customer_interest_segments", assignments)

    # each customer's first order (earliest date, then lowest order id) with its basket's share
    # of positive spend per category (by lines when it has none), lines, value and region
    baskets = con.execute(
        """
        with
        sold as (
            select * from lines where counts_in_monetary and not is_service
        ),
        first_orders as (
            select customer_id, arg_min(order_id, (order_date, order_id)) as order_id,
                min(order_date) as first_order_date
            from (select distinct customer_id, order_id, order_date from sold)
            group by customer_id
        ),
        basket as (
            select
                first_orders.customer_id,
                first_orders.first_order_date,
                products.category_id,
                sum(greatest(sold.line_value, 0)) as positive_spend,
                sum(sold.n_lines) as n_lines,
                sum(sold.line_value) as spend
            from first_orders
            inner join sold using (customer_id, order_id)
            inner join dim_products as products using (product_id)
            group by all
        )
        select
            basket.customer_id,
            basket.first_order_date,
            coalesce(customers.country, 'unknown') as region,
            basket.category_id,
            case
                when sum(positive_spend) over customer > 0
                    then cast(positive_spend as double) / sum(positive_spend) over customer
                else cast(n_lines as double) / sum(n_lines) over customer
            end as basket_share,
            cast(sum(n_lines) over customer as bigint) as n_lines,
            cast(sum(spend) over customer as double) as basket_value
        from basket
        left join customers using (customer_id)
        window customer as (partition by basket.customer_id)
        order by basket.customer_id, basket.category_id
        """
    ).df()
    last_order_date = con.execute("select last_order_date from dates").fetchone()[0]
    cutoff = pd.Timestamp(last_order_date) - pd.DateOffset(months=NEW_CUSTOMER_MONTHS)
    evaluation, _, _ = interests.interest_prediction(
        interests.first_orders_from_baskets(baskets),
        interests.dominant_categories(shares),
        cutoff + pd.Timedelta(days=1),
        RUN_ID,
    )
    save(con, "interest_prediction_evaluation", evaluation)


def association_rules(baskets: str) -> str:
    """Association rules over the baskets of `baskets` (order_id, product_id): frequent products
    (in min support of the baskets and min baskets), each basket capped to its most popular
    frequent products, pairs counted once on integer keys and turned both ways."""
    return f"""
    with
    basket_products as (
        select distinct order_id, product_id from ({baskets})
    ),
    totals as (
        select
            count(distinct order_id) as n_baskets,
            greatest({MIN_BASKETS}, ceil({MIN_SUPPORT} * count(distinct order_id))) as min_baskets
        from basket_products
    ),
    frequent as (
        select product_id, n, row_number() over (order by product_id) as product_key
        from (select product_id, count(*) as n from basket_products group by product_id), totals
        where n >= totals.min_baskets
    ),
    capped as (
        select basket_products.order_id, frequent.product_key
        from basket_products
        inner join frequent using (product_id)
        qualify row_number() over (
            partition by basket_products.order_id order by frequent.n desc, product_id asc
        ) <= {MAX_BASKET_PRODUCTS}
    ),
    pairs as (
        select a.product_key as key_a, b.product_key as key_b, count(*) as baskets
        from capped as a
        inner join capped as b
            on a.order_id = b.order_id and a.product_key < b.product_key
        group by all
        having count(*) >= (select min_baskets from totals)
    ),
    rules as (
        select key_a as antecedent_key, key_b as consequent_key, baskets from pairs
        union all
        select key_b, key_a, baskets from pairs
    )
    select
        antecedents.product_id as antecedent_product_id,
        consequents.product_id as consequent_product_id,
        rules.baskets,
        antecedents.n as antecedent_baskets,
        consequents.n as consequent_baskets,
        totals.n_baskets,
        rules.baskets / totals.n_baskets as support,
        rules.baskets / antecedents.n as confidence,
        (rules.baskets / antecedents.n) / (consequents.n / totals.n_baskets) as lift
    from rules
    inner join frequent as antecedents on rules.antecedent_key = antecedents.product_key
    inner join frequent as consequents on rules.consequent_key = consequents.product_key
    cross join totals
    """


def popularity(history: str, segment_table: str) -> str:
    """The POOL most popular products (by customers who bought them in `history`) overall, per
    segment of `segment_table` and per category: kind, group_id, product_id, customers, share,
    popularity_rank (ties to the lower product id)."""
    return f"""
    with
    bought as (
        select distinct customer_id, product_id from ({history})
    ),
    segment_sizes as (
        select segment_id, count(*) as customers from {segment_table} group by segment_id
    ),
    overall as (
        select 'overall' as kind, 0 as group_id, product_id, count(*) as customers,
            count(*) / (select count(distinct customer_id) from bought) as share
        from bought
        group by product_id
    ),
    groups as (
        select * from overall
        union all
        select 'segment', segments.segment_id, bought.product_id, count(*),
            count(*) / any_value(segment_sizes.customers)
        from bought
        inner join {segment_table} as segments using (customer_id)
        inner join segment_sizes using (segment_id)
        group by all
        union all
        select 'category', products.category_id, overall.product_id, overall.customers,
            overall.share
        from overall
        inner join dim_products as products using (product_id)
    )
    select
        *,
        row_number() over (
            partition by kind, group_id order by customers desc, product_id asc
        ) as popularity_rank
    from groups
    qualify popularity_rank <= {POOL}
    """


def list_picks(needs: str, lists: str, excluded: str) -> str:
    """For each customer of `needs` (customer_id, list_key, needed), the first `needed` products
    of their list in `lists` (list_key, product_id, score, reason, list_rank) that are not theirs
    in `excluded` (customer_id, product_id); the list is read no deeper than needed plus the
    excluded products in it."""
    return f"""
    select customer_id, product_id, score, reason, pick_rank
    from (
        select
            needs.customer_id, needs.needed, lists.product_id, lists.score, lists.reason,
            row_number() over (
                partition by needs.customer_id order by lists.list_rank
            ) as pick_rank
        from (
            select needs.customer_id, needs.needed, needs.list_key,
                needs.needed + count(lists.product_id) as depth
            from {needs} as needs
            left join {excluded} as excluded using (customer_id)
            left join {lists} as lists
                on lists.list_key = needs.list_key and lists.product_id = excluded.product_id
            group by needs.customer_id, needs.needed, needs.list_key
        ) as needs
        inner join {lists} as lists
            on needs.list_key = lists.list_key and lists.list_rank <= needs.depth
        anti join {excluded} as excluded
            on needs.customer_id = excluded.customer_id
            and lists.product_id = excluded.product_id
    )
    where pick_rank <= needed
    """


def next_best(
    con: duckdb.DuckDBPyConnection,
    history: str,
    rules: str,
    popular: str,
    segment_table: str,
    methods: tuple[str, ...],
    out: str,
) -> None:
    """Table `out` (customer_id, method, recommendation_rank, product_id, score, reason): each
    customer's PER_CUSTOMER next-best products they have not bought. 'model': the best rule
    (confidence, lift) of each product offered by the MAX_RULES_PER_PRODUCT strongest rules of
    their MAX_CUSTOMER_PRODUCTS most recent products, then their segment's popular products,
    then those of the category they spent most on; 'global_popularity', 'segment_popularity':
    the popularity lists alone."""
    con.execute(
        f"""
        create or replace temp table customer_products as
        select customer_id, product_id, max(order_date) as last_order_date,
            count(distinct order_id) as n_orders, sum(line_value) as spend
        from ({history})
        group by all
        """
    )
    con.execute(
        f"""
        create or replace temp table history_customers as
        select customer_id, segments.segment_id
        from (select distinct customer_id from customer_products)
        left join {segment_table} as segments using (customer_id)
        """
    )
    con.execute(f"create or replace temp table popular as {popular}")
    parts = []
    if "model" in methods:
        con.execute(
            f"""
            create or replace temp table rule_picks as
            with
            antecedents as (
                select customer_id, product_id
                from customer_products
                qualify row_number() over (
                    partition by customer_id
                    order by last_order_date desc, n_orders desc, product_id asc
                ) <= {MAX_CUSTOMER_PRODUCTS}
            ),
            strongest as (
                -- each product's strongest rules, ranked among the rules of their consequent
                -- (confidence, lift, reason): a customer's best rule for a product is the one
                -- of smallest rank among those their products offer
                select
                    *,
                    row_number() over (
                        partition by consequent_product_id
                        order by confidence desc, lift desc, antecedent_product_id asc
                    ) as consequent_rank
                from {rules}
                qualify row_number() over (
                    partition by antecedent_product_id
                    order by confidence desc, lift desc, consequent_product_id asc
                ) <= {MAX_RULES_PER_PRODUCT}
            ),
            best as (
                select antecedents.customer_id, strongest.consequent_product_id,
                    min(strongest.consequent_rank) as consequent_rank
                from antecedents
                inner join strongest
                    on antecedents.product_id = strongest.antecedent_product_id
                anti join customer_products as bought
                    on antecedents.customer_id = bought.customer_id
                    and strongest.consequent_product_id = bought.product_id
                group by all
            ),
            candidates as (
                select
                    best.customer_id,
                    strongest.consequent_product_id as product_id,
                    strongest.confidence as score,
                    'bought_with:' || strongest.antecedent_product_id as reason,
                    strongest.lift
                from best
                inner join strongest using (consequent_product_id, consequent_rank)
            )
            select
                customer_id, product_id, score, reason,
                row_number() over (
                    partition by customer_id order by score desc, lift desc, product_id asc
                ) as pick_rank
            from candidates
            qualify pick_rank <= {PER_CUSTOMER}
            """
        )
        # one list per segment and dominant category: the segment's popular products, then the
        # category's that are not in the segment's list
        con.execute(
            f"""
            create or replace temp table model_needs as
            with dominant as (
                select customer_id,
                    arg_min(category_id, (-spend, category_id)) as category_id
                from (
                    select customer_products.customer_id, products.category_id,
                        sum(customer_products.spend) as spend
                    from customer_products
                    inner join dim_products as products using (product_id)
                    group by all
                )
                group by customer_id
            )
            select
                history_customers.customer_id,
                coalesce(cast(history_customers.segment_id as varchar), '')
                    || ':' || coalesce(cast(dominant.category_id as varchar), '') as list_key,
                history_customers.segment_id,
                dominant.category_id,
                {PER_CUSTOMER} - count(rule_picks.product_id) as needed
            from history_customers
            left join dominant using (customer_id)
            left join rule_picks using (customer_id)
            group by all
            having {PER_CUSTOMER} - count(rule_picks.product_id) > 0
            """
        )
        con.execute(
            """
            create or replace temp table model_lists as
            with keys as (select distinct list_key, segment_id, category_id from model_needs)
            select list_key, product_id, score, reason,
                row_number() over (partition by list_key order by part, popularity_rank)
                    as list_rank
            from (
                select keys.list_key, popular.product_id, popular.share as score,
                    'popular_in_segment' as reason, 1 as part, popular.popularity_rank
                from keys
                inner join popular
                    on popular.kind = 'segment' and popular.group_id = keys.segment_id
                union all
                select keys.list_key, popular.product_id, popular.share,
                    'popular_in_category', 2, popular.popularity_rank
                from keys
                inner join popular
                    on popular.kind = 'category' and popular.group_id = keys.category_id
                where popular.product_id not in (
                    select product_id from popular as in_segment
                    where in_segment.kind = 'segment' and in_segment.group_id = keys.segment_id
                )
            )
            """
        )
        con.execute(
            """
            create or replace temp table not_from_lists as
            select customer_id, product_id from customer_products
            union all
            select customer_id, product_id from rule_picks
            """
        )
        parts.append(
            "select customer_id, 'model' as method, 1 as source, pick_rank, product_id, score,"
            " reason from rule_picks"
        )
        parts.append(
            "select customer_id, 'model', 2, pick_rank, product_id, score, reason from ("
            + list_picks("model_needs", "model_lists", "not_from_lists")
            + ")"
        )
    baselines = {
        "global_popularity": ("'overall:0'", "true"),
        "segment_popularity": (
            "'segment:' || cast(segment_id as varchar)",
            "segment_id is not null",
        ),
    }
    chosen = [method for method in baselines if method in methods]
    if chosen:
        con.execute(
            """
            create or replace temp table baseline_lists as
            select
                kind || ':' || cast(group_id as varchar) as list_key,
                product_id,
                share as score,
                case when kind = 'overall' then 'popular_overall' else 'popular_in_segment' end
                    as reason,
                popularity_rank as list_rank
            from popular
            where kind in ('overall', 'segment')
            """
        )
    for method in chosen:
        key, condition = baselines[method]
        con.execute(
            f"create or replace temp table {method}_needs as select customer_id,"
            f" {key} as list_key, {PER_CUSTOMER} as needed"
            f" from history_customers where {condition}"
        )
        parts.append(
            f"select customer_id, '{method}', 1, pick_rank, product_id, score, reason from ("
            + list_picks(f"{method}_needs", "baseline_lists", "customer_products")
            + ")"
        )
    con.execute(
        f"""
        create table {out} as
        select
            customer_id, method,
            cast(row_number() over (
                partition by customer_id, method order by source, pick_rank
            ) as integer) as recommendation_rank,
            product_id, cast(score as double) as score, reason
        from ({" union all ".join(parts)})
        order by customer_id, method, recommendation_rank
        """
    )


def recommendations(con: duckdb.DuckDBPyConnection, model: SegmentModel) -> None:
    """Tables `product_associations`, `product_popularity`, `customer_recommendations` (every
    basket) and `recommendation_evaluation_lists`, `recommendation_evaluation` (trained on the
    baskets before the cutoff, tested on the new products customers bought from it on)."""
    con.execute(
        """
        create table baskets as
        select
            order_id, customer_id, order_date, product_id,
            cast(sum(line_value) as double) as line_value,
            order_date < (select cutoff_date from dates) as is_training
        from lines
        where reason = 'purchase' and not is_service
        group by order_id, customer_id, order_date, product_id
        """
    )
    con.execute(
        "create table product_associations as "
        + association_rules("select order_id, product_id from baskets")
    )
    con.execute(
        "create table training_associations as "
        + association_rules("select order_id, product_id from baskets where is_training")
    )
    con.execute(
        "create table product_popularity as "
        + popularity("select * from baskets", "customer_segments")
    )
    next_best(
        con,
        "select * from baskets",
        "product_associations",
        "select * from product_popularity",
        "customer_segments",
        ("model",),
        "customer_recommendations",
    )

    # each customer's segment at the cutoff: RFM from their lines before it, scored with the model
    at_cutoff = con.execute(
        """
        select
            customer_id,
            (select cutoff_date from dates)
                - max(order_date) filter (where reason = 'purchase') as recency_days,
            count(distinct order_id) filter (where reason = 'purchase') as frequency,
            cast(coalesce(sum(line_value) filter (where counts_in_monetary), 0) as double)
                as monetary
        from lines
        where order_date < (select cutoff_date from dates)
        group by customer_id
        having frequency > 0
        order by customer_id
        """
    ).df()
    at_cutoff = at_cutoff.loc[(at_cutoff["recency_days"] >= 0) & (at_cutoff["monetary"] > 0)]
    segment_id, _ = model.assign(at_cutoff[list(model.features)].to_numpy(float))
    save(
        con,
        "segments_at_cutoff",
        pd.DataFrame(
            {"customer_id": at_cutoff["customer_id"].to_numpy("int64"), "segment_id": segment_id}
        ),
    )
    next_best(
        con,
        "select * from baskets where is_training",
        "training_associations",
        popularity("select * from baskets where is_training", "segments_at_cutoff"),
        "segments_at_cutoff",
        ("model", "global_popularity", "segment_popularity"),
        "recommendation_evaluation_lists",
    )
    con.execute(
        f"""
        create table recommendation_evaluation as
        with
        training_bought as (
            select distinct customer_id, product_id from baskets where is_training
        ),
        new_purchases as (
            -- what training customers bought from the cutoff on that they had not bought before
            select distinct baskets.customer_id, baskets.product_id
            from baskets
            anti join training_bought as before
                on baskets.customer_id = before.customer_id
                and baskets.product_id = before.product_id
            where not baskets.is_training
                and baskets.customer_id in (select customer_id from training_bought)
        ),
        evaluated as (
            select customer_id, count(*) as n_new_products from new_purchases group by all
        ),
        hits as (
            select lists.method, lists.customer_id, count(*) as hits
            from recommendation_evaluation_lists as lists
            inner join new_purchases using (customer_id, product_id)
            group by all
        ),
        methods as (
            select * from (values ('model'), ('global_popularity'), ('segment_popularity'))
                as methods (method)
        ),
        per_customer as (
            select methods.method, evaluated.*, coalesce(hits.hits, 0) as hits
            from evaluated
            cross join methods
            left join hits using (method, customer_id)
        ),
        coverage as (
            select method, count(distinct product_id) as products_recommended
            from recommendation_evaluation_lists
            group by method
        ),
        training as (
            select count(distinct customer_id) as customers, count(distinct product_id) as products
            from training_bought
        )
        select
            methods.method,
            sum(hits) / ({PER_CUSTOMER} * count(per_customer.customer_id)) as precision_at_10,
            avg(hits / n_new_products) as recall_at_10,
            avg(case when hits > 0 then 1.0 else 0.0 end) as hit_rate_at_10,
            any_value(coverage.products_recommended) / any_value(training.products)
                as catalogue_coverage,
            count(per_customer.customer_id) as customers_evaluated,
            any_value(training.customers) as training_customers,
            coalesce(any_value(coverage.products_recommended), 0) as products_recommended,
            any_value(training.products) as training_products,
            any_value(dates.cutoff_date) as cutoff_date
        from methods
        left join per_customer using (method)
        left join coverage using (method)
        cross join training
        cross join dates
        group by methods.method
        """
    )


def main(path: str, out: str) -> None:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    spill = out_dir / "duckdb_spill"
    # the same threads and memory limit as the project's build (set from the machine and the
    # input's size unless given)
    memory_limit = os.environ.get("DUCKDB_MEMORY_LIMIT") or duckdb_memory_limit(
        estimated_lines(Path(path))
    )
    con = duckdb.connect(
        config={
            "threads": int(os.environ.get("DUCKDB_THREADS", "2")),
            "memory_limit": memory_limit,
            "temp_directory": str(spill),
            # no query here needs its rows in file order: streaming them is what fits in memory
            "preserve_insertion_order": False,
        }
    )
    try:
        load_lines(con, path)
        rfm_table = rfm(con)
        model = segments(con, rfm_table)
        categories(con)
        interest_side(con)
        recommendations(con, model)
        for name in OUTPUTS:
            con.execute(f"copy {name} to '{out_dir / name}.parquet' (format parquet)")
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
