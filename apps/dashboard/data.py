"""The dashboard's SQL: short queries on the published warehouse that aggregate in DuckDB.

Every query returns a small frame (one row per segment, score cell, k, ... or a bounded sample),
so the dashboard stays light whatever the number of customers; results are memoised per published
file (apps.warehouse.Snapshot.query). Commerce queries read one store's rows; the student ones have
no store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from apps.warehouse import Snapshot
from models_py.features import RFM_FEATURES
from scripts.project_paths import published_warehouse

SCATTER_SAMPLE_ROWS = 5_000
SAMPLE_SEED = 42
STUDENT_DIMENSIONS = ("country_bucket", "diploma_bucket", "has_bogo", "dominant_payment_term")
NOT_SEGMENTED = "(not segmented)"
# segment_attribute_profiles: the attributes in this order first (others after, by name), and how
# many values of an attribute the heat map shows (those with the most customers; the rest summed)
ATTRIBUTE_ORDER = (
    "country",
    "state",
    "city",
    "payment_type",
    "product_category",
    "price_band",
    "review_score",
)
PROFILE_TOP_VALUES = 12
OTHER_VALUES = "other"


def warehouse_path() -> Path:
    """The published warehouse: $DUCKDB_PATH, default warehouse.duckdb in the project root."""
    return published_warehouse()


@dataclass(frozen=True)
class RunInfo:
    """The segmentation run the published segment tables of a store come from."""

    model_run_id: str | None
    run_started_at: datetime | None
    k: int | None
    k_choice_reason: str | None


@dataclass(frozen=True)
class AttributeProfile:
    """The segments of a store profiled by one attribute (marts.segment_attribute_profiles)."""

    attributes: tuple[str, ...]  # every attribute the store has, in ATTRIBUTE_ORDER
    attribute: str | None  # the one profiled (None: the store has none)
    cells: pd.DataFrame  # the heat map: segment x the top values and "other"
    rows: pd.DataFrame  # the mart's rows of the store and attribute


@dataclass(frozen=True)
class MigrationPair:
    """Two consecutive segmentation runs of a store, as marts.segment_migrations pairs them."""

    from_run_id: str
    to_run_id: str
    from_as_of_date: pd.Timestamp | None
    to_as_of_date: pd.Timestamp | None


# --- overview -------------------------------------------------------------------------------


def overview_kpis(wh: Snapshot, store: str) -> dict:
    """Customers with purchases, all customer ids, net revenue and the as-of date of a store."""
    frame = wh.query(
        """
        select
            count(*) filter (where has_purchases) as customers,
            count(*) as customer_ids,
            coalesce(sum(monetary), 0) as revenue,
            max(as_of_date) as as_of_date
        from marts.fct_customer_rfm
        where store = ?
        """,
        [store],
    )
    return frame.iloc[0].to_dict()


def run_info(wh: Snapshot, store: str) -> RunInfo:
    """The run of a store's published segments (segment_profiles.model_run_id), its k and reason."""
    if not wh.has_table("segment_profiles"):
        return RunInfo(None, None, None, None)
    frame = wh.query(
        """
        with published as (
            select max(model_run_id) as model_run_id
            from marts.segment_profiles
            where store = ?
        )
        select p.model_run_id, r.run_started_at, r.k, r.k_choice_reason
        from published as p
        left join marts.segmentation_runs as r
            on r.store = ? and r.model_run_id = p.model_run_id
        """,
        [store, store],
    )
    row = frame.iloc[0]
    return RunInfo(
        None if pd.isna(row["model_run_id"]) else row["model_run_id"],
        None if pd.isna(row["run_started_at"]) else row["run_started_at"].to_pydatetime(),
        None if pd.isna(row["k"]) else int(row["k"]),
        None if pd.isna(row["k_choice_reason"]) else row["k_choice_reason"],
    )


def segment_sizes(wh: Snapshot, store: str) -> pd.DataFrame:
    return wh.query(
        """
        select segment_id, segment_label, customers, share_of_customers, revenue, share_of_revenue
        from marts.segment_profiles
        where store = ?
        order by segment_id
        """,
        [store],
    )


def rfm_grid(wh: Snapshot, store: str) -> pd.DataFrame:
    """Customers and revenue per (R, F) score cell, with the cell's named RFM segment."""
    return wh.query(
        """
        select r_score, f_score, min(rfm_segment) as rfm_segment,
               count(*) as customers, sum(monetary) as revenue
        from marts.fct_customer_rfm
        where store = ? and has_purchases
        group by r_score, f_score
        order by r_score desc, f_score
        """,
        [store],
    )


def rfm_segments(wh: Snapshot, store: str) -> pd.DataFrame:
    return wh.query(
        """
        select rfm_segment, count(*) as customers, sum(monetary) as revenue,
               avg(recency_days) as mean_recency_days, avg(frequency) as mean_frequency,
               avg(monetary) as mean_monetary
        from marts.fct_customer_rfm
        where store = ? and has_purchases
        group by rfm_segment
        order by customers desc, rfm_segment
        """,
        [store],
    )


# --- segment explorer ----------------------------------------------------------------------


def segment_profiles(wh: Snapshot, store: str) -> pd.DataFrame:
    return wh.query(
        "select * from marts.segment_profiles where store = ? order by segment_id", [store]
    )


def feature_distribution(wh: Snapshot, store: str, feature: str) -> pd.DataFrame:
    """Five-number summary (5th, 25th, 50th, 75th, 95th percentiles) of one feature per segment."""
    if feature not in RFM_FEATURES:
        raise ValueError(f"unknown feature {feature!r}; expected one of {RFM_FEATURES}")
    return wh.query(
        f"""
        select segment_id, segment_label, count(*) as customers,
               quantile_cont({feature}, 0.05) as p05,
               quantile_cont({feature}, 0.25) as p25,
               quantile_cont({feature}, 0.50) as p50,
               quantile_cont({feature}, 0.75) as p75,
               quantile_cont({feature}, 0.95) as p95,
               avg({feature}) as mean
        from marts.customer_segments
        where store = ?
        group by segment_id, segment_label
        order by segment_id
        """,
        [store],
    )


def pca_sample(wh: Snapshot, store: str, rows: int = SCATTER_SAMPLE_ROWS) -> pd.DataFrame:
    """A fixed-seed sample of at most `rows` customers of a store with their PCA coordinates."""
    # sampled from a subquery: a sample clause applies before the where clause of its own select
    return wh.query(
        f"""
        select *
        from (
            select customer_id, segment_id, segment_label, pca_1, pca_2,
                   recency_days, frequency, monetary
            from marts.customer_segments
            where store = ?
        ) using sample reservoir({int(rows)} rows) repeatable ({SAMPLE_SEED})
        order by segment_id, customer_id
        """,
        [store],
    )


def segmented_customers(wh: Snapshot, store: str) -> int:
    frame = wh.query("select count(*) as n from marts.customer_segments where store = ?", [store])
    return int(frame["n"].iloc[0])


def k_selection(wh: Snapshot, store: str) -> pd.DataFrame:
    return wh.query(
        """
        select k, inertia, silhouette, calinski_harabasz, davies_bouldin,
               is_chosen, is_elbow, choice_reason
        from marts.segment_k_selection
        where store = ?
        order by k
        """,
        [store],
    )


def segment_rules(wh: Snapshot, store: str) -> pd.DataFrame:
    return wh.query(
        """
        select rule_id, segment_id, segment_label, rule, customers, share_in_segment,
               tree_agreement
        from marts.segment_rules
        where store = ?
        order by rule_id
        """,
        [store],
    )


# --- segment profiles by attribute (marts.segment_attribute_profiles) ------------------------

# Each segment's size is the customers of any of its rows over their share_of_segment (the mart's
# own denominator), so the overall share of a value is its customers over all segmented customers
# of the store; lift = share in the segment / share overall (> 1: over-represented).
ATTRIBUTE_CELLS_QUERY = """
with store_rows as (
    select segment_id, segment_label, attribute, attribute_value, customers, share_of_segment
    from marts.segment_attribute_profiles
    where store = $1
),
segments as (
    select segment_id, min(segment_label) as segment_label,
           round(max(customers / share_of_segment)) as segment_customers
    from store_rows
    group by segment_id
),
attribute_rows as (
    select segment_id, attribute_value, customers
    from store_rows
    where attribute = $2
),
ranked_values as (
    select attribute_value, sum(customers) as value_customers,
           row_number() over (order by sum(customers) desc, attribute_value) as value_rank
    from attribute_rows
    group by attribute_value
),
other_label as (
    -- "other" unless one of the values shown is called so
    select if(count(*) = 0, $4, $4 || ' values') as label
    from ranked_values
    where value_rank <= $3 and attribute_value = $4
),
cells as (
    select r.segment_id,
           if(v.value_rank <= $3, r.attribute_value, (select label from other_label))
               as attribute_value,
           least(v.value_rank, $3 + 1) as value_rank,
           v.value_rank > $3 as is_other,
           sum(r.customers) as customers
    from attribute_rows as r
    join ranked_values as v using (attribute_value)
    group by all
),
total as (
    select sum(segment_customers) as customers from segments
)
select c.segment_id, s.segment_label, c.attribute_value, c.value_rank, c.is_other,
       cast(c.customers as bigint) as customers,
       c.customers / s.segment_customers as share_of_segment,
       sum(c.customers) over (partition by c.value_rank) / t.customers as share_overall,
       (c.customers / s.segment_customers)
           / (sum(c.customers) over (partition by c.value_rank) / t.customers) as lift
from cells as c
join segments as s using (segment_id)
cross join total as t
order by c.segment_id, c.value_rank
"""


def attribute_profile(wh: Snapshot, store: str, attribute: str | None = None) -> AttributeProfile:
    """A store's segments profiled by `attribute` (default: its first with more than one value):
    the attributes it has, the heat map cells (share of each segment per value, for the
    PROFILE_TOP_VALUES values with the most customers and OTHER_VALUES summing the rest, with each
    value's overall share and lift) and the mart's rows for that attribute. Aggregated in DuckDB: a
    few rows per segment and value."""
    found = wh.query(
        """
        select attribute, count(distinct attribute_value) as n_values
        from marts.segment_attribute_profiles
        where store = ?
        group by attribute
        """,
        [store],
    )
    order = {name: position for position, name in enumerate(ATTRIBUTE_ORDER)}
    found = found.sort_values(
        "attribute", key=lambda names: names.map(lambda n: (order.get(n, len(order)), n))
    )
    attributes = tuple(found["attribute"])
    if attribute not in attributes:
        varied = found.loc[found["n_values"] > 1, "attribute"]
        attribute = varied.iloc[0] if len(varied) else (attributes[0] if attributes else None)
    cells = wh.query(ATTRIBUTE_CELLS_QUERY, [store, attribute, PROFILE_TOP_VALUES, OTHER_VALUES])
    rows = wh.query(
        """
        select *
        from marts.segment_attribute_profiles
        where store = ? and attribute = ?
        order by segment_id, customers desc, attribute_value
        """,
        [store, attribute],
    )
    return AttributeProfile(attributes, attribute, cells, rows)


# --- migrations (marts.segment_migrations, the one definition) ------------------------------


def segmentation_runs(wh: Snapshot, store: str) -> pd.DataFrame:
    """A store's segmentation runs, newest first."""
    return wh.query(
        """
        select model_run_id, run_started_at, as_of_date, k, n_customers
        from marts.segmentation_runs
        where store = ?
        order by run_started_at desc, model_run_id desc
        """,
        [store],
    )


def latest_migration_pair(wh: Snapshot, store: str) -> MigrationPair | None:
    """The store's latest pair of runs in marts.segment_migrations (None before a second run)."""
    frame = wh.query(
        """
        with pairs as (
            select distinct from_run_id, to_run_id
            from marts.segment_migrations
            where store = ?
        )
        select p.from_run_id, p.to_run_id,
               f.as_of_date as from_as_of_date, t.as_of_date as to_as_of_date
        from pairs as p
        left join marts.segmentation_runs as f
            on f.store = ? and f.model_run_id = p.from_run_id
        left join marts.segmentation_runs as t
            on t.store = ? and t.model_run_id = p.to_run_id
        order by t.run_started_at desc nulls last, p.to_run_id desc
        limit 1
        """,
        [store, store, store],
    )
    if frame.empty:
        return None
    row = frame.iloc[0]
    return MigrationPair(
        row["from_run_id"], row["to_run_id"], row["from_as_of_date"], row["to_as_of_date"]
    )


def migration_matrix(wh: Snapshot, store: str, pair: MigrationPair) -> pd.DataFrame:
    """Customers per (segment in the earlier run, in the later run) with is_move, stayers
    included; a null id is a customer segmented in one of the two runs only."""
    return wh.query(
        """
        select from_segment_id, from_segment_label, to_segment_id, to_segment_label, is_move,
               cast(sum(customers) as bigint) as customers
        from marts.segment_migrations
        where store = ? and from_run_id = ? and to_run_id = ?
        group by all
        order by from_segment_id nulls last, to_segment_id nulls last
        """,
        [store, pair.from_run_id, pair.to_run_id],
    )


def latest_segment_changes(wh: Snapshot, store: str, run_id: str) -> pd.DataFrame:
    """The customers a run moved to another segment (marts.customer_segment_changes)."""
    return wh.query(
        """
        select customer_id, from_segment_label, to_segment_label, changed_on
        from marts.customer_segment_changes
        where store = ? and model_run_id = ?
        order by from_segment_id, to_segment_id, customer_id
        """,
        [store, run_id],
    )


def segment_migrations(wh: Snapshot, store: str, pair: MigrationPair) -> pd.DataFrame:
    """The rows of marts.segment_migrations for one pair of runs, largest first."""
    return wh.query(
        """
        select from_segment_id, from_segment_label, to_segment_id, to_segment_label, is_move,
               customers
        from marts.segment_migrations
        where store = ? and from_run_id = ? and to_run_id = ?
        order by customers desc, from_segment_id nulls first, to_segment_id nulls first
        """,
        [store, pair.from_run_id, pair.to_run_id],
    )


# --- students ------------------------------------------------------------------------------


def ltv_by(wh: Snapshot, dimension: str) -> pd.DataFrame:
    """2020-cohort students per value of one trait and LTV class, with the share of high LTV."""
    if dimension not in STUDENT_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {STUDENT_DIMENSIONS}")
    return wh.query(
        f"""
        with students as (
            select coalesce(cast({dimension} as varchar), '(none)') as value, ltv_class
            from marts.fct_students_cohort
        )
        select value, ltv_class, count(*) as students,
               count(*) / sum(count(*)) over (partition by value) as share_of_value
        from students
        group by value, ltv_class
        order by value, ltv_class
        """
    )


def students_are_synthetic(wh: Snapshot) -> bool:
    """Whether the student marts were built on the generated sample (marts.student_data_source;
    a warehouse built before it says nothing)."""
    if not wh.has_table("student_data_source"):
        return False
    frame = wh.query("select bool_or(is_synthetic) as is_synthetic from marts.student_data_source")
    return bool(frame["is_synthetic"].iloc[0])


def student_cohort_summary(wh: Snapshot) -> dict:
    frame = wh.query(
        """
        select min(cohort_year) as cohort_year, count(*) as students,
               count(*) filter (where ltv_class = 'high') as high_ltv_students,
               max(cohort_mean_ltv) as cohort_mean_ltv
        from marts.fct_students_cohort
        """
    )
    return frame.iloc[0].to_dict()


def whole_table(wh: Snapshot, name: str, order_by: str | None = None) -> pd.DataFrame:
    """A small published table as it is (model outputs: a row per component, rule, field ...)."""
    if not wh.has_table(name):
        raise LookupError(f"marts.{name} is not in the warehouse")
    order = f" order by {order_by}" if order_by else ""
    return wh.query(f'select * from marts."{name}"{order}')


def student_pca_sample(wh: Snapshot, rows: int = SCATTER_SAMPLE_ROWS) -> pd.DataFrame:
    """A fixed-seed sample of at most `rows` students with their segment and PCA coordinates."""
    return wh.query(
        f"""
        select student_id, segment_id, segment_label, pca_1, pca_2, ltv_class
        from marts.student_segments
        using sample reservoir({int(rows)} rows) repeatable ({SAMPLE_SEED})
        order by segment_id, student_id
        """
    )


def field_fill_rates(wh: Snapshot) -> pd.DataFrame:
    return wh.query(
        """
        select cohort_year, field_name, n_students, n_filled, fill_rate
        from marts.student_field_fill_rates
        order by cohort_year, field_name
        """
    )


# --- products and interests (the product marts) ---------------------------------------------

# the tables of the products page: a warehouse built before them has none of them
PRODUCT_MARTS = (
    "product_categories",
    "product_category_k_selection",
    "customer_interest_segments",
    "interest_segment_profiles",
    "interest_k_selection",
    "interest_rfm_cross",
    "interest_prediction_evaluation",
)
# how a category was made (product_categories.origin): a store whose categories are clustered from
# its descriptions has rows in product_category_k_selection, one with categories of its own none
CATEGORY_CLUSTERED = "clustered"
CATEGORY_OVERRIDE = "override"
CATEGORY_OWN = "store's own"
CATEGORY_UNCATEGORISED = "uncategorised"
# interest_prediction_evaluation.method: the fitted models first, then the baselines
EVALUATION_METHODS = ("model", "basket_ranker", "majority_category", "first_basket")
# what the evaluation says about serving (a warehouse built before them lacks these columns)
EVALUATION_SERVING_COLUMNS = ("method_kind", "is_served", "decision")


def missing_product_marts(wh: Snapshot) -> tuple[str, ...]:
    """The product marts the published warehouse does not have (all of them before they existed)."""
    return tuple(name for name in PRODUCT_MARTS if not wh.has_table(name))


def product_categories(wh: Snapshot, store: str) -> pd.DataFrame:
    """A store's categories by category_id, with how each was made (`origin`): clustered, an
    override (seed product_category_overrides), the store's own, or the clustered store's products
    with no shared term."""
    return wh.query(
        """
        with clustering as (
            select count(*) > 0 as clustered
            from marts.product_category_k_selection
            where store = $1
        )
        select c.category_id, c.category_name,
               case
                   when c.is_override_category then $2
                   when not k.clustered then $3
                   when coalesce(c.top_terms, '') = '' then $4
                   else $5
               end as origin,
               c.top_terms, c.n_products, c.revenue, c.share_of_revenue
        from marts.product_categories as c
        cross join clustering as k
        where c.store = $1
        order by c.category_id
        """,
        [store, CATEGORY_OVERRIDE, CATEGORY_OWN, CATEGORY_UNCATEGORISED, CATEGORY_CLUSTERED],
    )


def category_k_selection(wh: Snapshot, store: str) -> pd.DataFrame:
    """The k tried for a store's clustered categories (no rows: the store has its own)."""
    return wh.query(
        """
        select k, inertia, silhouette, coalesce(is_chosen, false) as is_chosen,
               coalesce(is_elbow, false) as is_elbow, choice_reason, n_products
        from marts.product_category_k_selection
        where store = ?
        order by k
        """,
        [store],
    )


def interest_segment_sizes(wh: Snapshot, store: str) -> pd.DataFrame:
    """Customers per interest segment, counted from marts.customer_interest_segments."""
    return wh.query(
        """
        select interest_segment_id, min(interest_segment_label) as interest_segment_label,
               count(*) as customers,
               count(*) / sum(count(*)) over () as share_of_customers
        from marts.customer_interest_segments
        where store = ?
        group by interest_segment_id
        order by interest_segment_id
        """,
        [store],
    )


def interest_segment_profiles(wh: Snapshot, store: str) -> pd.DataFrame:
    """A row per interest segment and category: mean share of spend, overall mean and lift."""
    return wh.query(
        """
        select interest_segment_id, interest_segment_label, customers, category_id, category_name,
               mean_share, overall_mean_share, lift
        from marts.interest_segment_profiles
        where store = ?
        order by interest_segment_id, category_id
        """,
        [store],
    )


def interest_k_selection(wh: Snapshot, store: str) -> pd.DataFrame:
    return wh.query(
        """
        select k, inertia, silhouette, calinski_harabasz, davies_bouldin,
               is_chosen, is_elbow, choice_reason, n_customers
        from marts.interest_k_selection
        where store = ?
        order by k
        """,
        [store],
    )


def interest_rfm_cross(wh: Snapshot, store: str) -> pd.DataFrame:
    """Customers and revenue per (interest segment, RFM-based customer segment)."""
    return wh.query(
        """
        select interest_segment_id, interest_segment_label, segment_id, segment_label,
               customers, revenue
        from marts.interest_rfm_cross
        where store = ?
        order by interest_segment_id, segment_id
        """,
        [store],
    )


def interest_prediction_evaluation(wh: Snapshot, store: str) -> pd.DataFrame:
    """The interest prediction's scores on new customers, the fitted models first, then the
    baselines; with which method is served and why when the warehouse records it."""
    order = " ".join(
        f"when '{method}' then {position}" for position, method in enumerate(EVALUATION_METHODS)
    )
    frame = wh.query(
        f"""
        select *
        from marts.interest_prediction_evaluation
        where store = ?
        order by case method {order} else {len(EVALUATION_METHODS)} end, method
        """,
        [store],
    )
    columns = ["method", "accuracy", "balanced_accuracy", "macro_f1", "n_train", "n_test"]
    columns += ["cutoff", "model_run_id"]
    columns += [c for c in EVALUATION_SERVING_COLUMNS if c in frame.columns]
    return frame[columns]


def served_interest_method(wh: Snapshot, store: str) -> dict | None:
    """The store's row of marts.interest_model (method, reason): what /api/interest answers
    with; None when the warehouse has no such table or no row for the store."""
    if not wh.has_table("interest_model"):
        return None
    rows = wh.query(
        "select method, method_kind, reason from marts.interest_model where store = ?", [store]
    )
    return None if rows.empty else rows.iloc[0].to_dict()


# --- recommendations (the recommendation marts) ---------------------------------------------

# the tables of the recommendations page: a warehouse built before them has none of them
RECOMMENDATION_MARTS = (
    "customer_recommendations",
    "recommendation_evaluation",
    "product_associations",
)
# recommendation_evaluation.method: the recommender first, then the baselines
RECOMMENDATION_METHODS = ("model", "global_popularity", "segment_popularity")
BOUGHT_WITH = "bought_with:"
# the associations table: the pairs bought together in at least this many baskets, strongest lift
ASSOCIATION_MIN_BASKETS = 10
TOP_ASSOCIATIONS = 20


def missing_recommendation_marts(wh: Snapshot) -> tuple[str, ...]:
    """The recommendation marts the published warehouse does not have."""
    return tuple(name for name in RECOMMENDATION_MARTS if not wh.has_table(name))


def showcase_customer(wh: Snapshot, store: str) -> int | None:
    """The customer with a segment and the most recommendations from association rules (ties:
    the lower id); None when the store has no recommendations."""
    frame = wh.query(
        """
        select customer_id
        from marts.customer_recommendations
        where store = ? and segment_id is not null
        group by customer_id
        order by count(*) filter (where starts_with(reason, ?)) desc, customer_id
        limit 1
        """,
        [store, BOUGHT_WITH],
    )
    return None if frame.empty else int(frame["customer_id"].iloc[0])


def customer_recommendations(wh: Snapshot, store: str, customer_id: int) -> pd.DataFrame:
    """One customer's rows of marts.customer_recommendations in rank order. Read afresh, not
    memoised: one small read per customer looked at."""
    with wh.cursor() as cursor:
        return cursor.execute(
            """
            select recommendation_rank, product_id, description, category_id, category_name,
                   score, reason, segment_id, segment_label
            from marts.customer_recommendations
            where store = ? and customer_id = ?
            order by recommendation_rank
            """,
            [store, customer_id],
        ).df()


def recommendation_evaluation(wh: Snapshot, store: str) -> pd.DataFrame:
    """The offline evaluation of a store's recommendations: the recommender, then the baselines."""
    order = " ".join(
        f"when '{method}' then {position}" for position, method in enumerate(RECOMMENDATION_METHODS)
    )
    return wh.query(
        f"""
        select method, precision_at_10, recall_at_10, hit_rate_at_10, catalogue_coverage,
               customers_evaluated, training_customers, products_recommended, training_products,
               cutoff_date, holdout_days
        from marts.recommendation_evaluation
        where store = ?
        order by case method {order} else {len(RECOMMENDATION_METHODS)} end, method
        """,
        [store],
    )


def top_associations(
    wh: Snapshot,
    store: str,
    min_baskets: int = ASSOCIATION_MIN_BASKETS,
    rows: int = TOP_ASSOCIATIONS,
) -> pd.DataFrame:
    """The association rules of the pairs bought together in at least `min_baskets` baskets with
    the highest lift (then the most baskets, then by product ids)."""
    return wh.query(
        """
        select antecedent_product_id, antecedent_description, consequent_product_id,
               consequent_description, baskets, support, confidence, lift
        from marts.product_associations
        where store = ? and baskets >= ?
        order by lift desc, baskets desc, antecedent_product_id, consequent_product_id
        limit ?
        """,
        [store, int(min_baskets), int(rows)],
    )


# --- customer lifetime value (the clv marts) --------------------------------------------------

CLV_MARTS = (
    "customer_lifetime_value",
    "clv_holdout_evaluation",
    "clv_holdout_buckets",
    "segment_clv",
)
TOP_AT_RISK = 50


def missing_clv_marts(wh: Snapshot) -> tuple[str, ...]:
    """The lifetime value marts the published warehouse does not have."""
    return tuple(name for name in CLV_MARTS if not wh.has_table(name))


def clv_evaluation(wh: Snapshot, store: str) -> pd.DataFrame:
    return wh.query(
        """
        select purchase_model, is_served, purchases_mae, purchases_rank_correlation,
               actual_purchases, predicted_purchases, actual_spend, predicted_spend,
               churn_auc, recency_churn_auc, n_customers, calibration_end, holdout_days,
               served_reason
        from marts.clv_holdout_evaluation
        where store = ?
        order by is_served desc, purchases_mae nulls last, purchase_model
        """,
        [store],
    )


def clv_buckets(wh: Snapshot, store: str) -> pd.DataFrame:
    return wh.query(
        """
        select purchase_model, frequency_bucket, n_customers, actual_purchases,
               predicted_purchases
        from marts.clv_holdout_buckets
        where store = ?
        order by purchase_model, frequency_bucket
        """,
        [store],
    )


def clv_customers(wh: Snapshot, store: str) -> pd.DataFrame:
    """Every customer's lifetime value with their recency (days since the last purchase)."""
    return wh.query(
        """
        select customer_id, value_tier, predicted_clv, churn_risk, is_at_risk, p_alive,
               expected_purchases_90d, expected_spend_per_purchase, repeat_purchase_days,
               first_purchase_to_end_days - first_to_last_purchase_days as recency_days
        from marts.customer_lifetime_value
        where store = ?
        """,
        [store],
    )


def segment_clv(wh: Snapshot, store: str) -> pd.DataFrame:
    return wh.query(
        """
        select segment_label, n_customers, predicted_clv, predicted_clv_share, mean_churn_risk,
               n_at_risk, at_risk_predicted_clv, at_risk_predicted_clv_share
        from marts.segment_clv
        where store = ?
        order by predicted_clv desc
        """,
        [store],
    )
