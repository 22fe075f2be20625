"""Read-only access to the published warehouse: short SQL queries that aggregate in DuckDB.

Every query returns a small frame (one row per segment, score cell, k, ... or a bounded sample),
so the dashboard stays light whatever the number of customers. A `Warehouse` is one published
file: builds publish by renaming a new file over the old one, so a changed inode or modification
time means a new warehouse, and results are memoised per file.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from apps.api.segment_model_loader import load_segment_model
from models_py.rfm_scoring import SegmentModel

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCATTER_SAMPLE_ROWS = 5_000
SAMPLE_SEED = 42
RFM_FEATURES = ("recency_days", "frequency", "monetary")
STUDENT_DIMENSIONS = ("country_bucket", "diploma_bucket", "has_bogo", "dominant_payment_term")
NOT_SEGMENTED = "(not segmented)"
CATALOG = "published"


def warehouse_path() -> Path:
    """The published warehouse: $DUCKDB_PATH, default warehouse.duckdb in the project root."""
    configured = os.environ.get("DUCKDB_PATH") or str(PROJECT_ROOT / "warehouse.duckdb")
    return Path(configured).expanduser().resolve()


def file_id(path: Path) -> tuple[int, int]:
    """Inode and modification time: a publish (atomic rename) changes them."""
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


@dataclass(frozen=True)
class RunInfo:
    """The segmentation run the published segment tables come from."""

    model_run_id: str | None
    run_started_at: datetime | None
    k: int | None
    k_choice_reason: str | None


class Warehouse:
    """One published warehouse file, opened read-only; query results memoised per file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file_id = file_id(path)
        self.published_at = datetime.fromtimestamp(self.file_id[1] / 1e9, tz=UTC)
        # A private in-memory database attaching the file read-only: duckdb.connect(path) would
        # hand back the process's cached instance of the file replaced by the publish.
        self._connection = duckdb.connect(":memory:")
        quoted = str(path).replace("'", "''")
        self._connection.execute(f"attach '{quoted}' as {CATALOG} (read_only)")
        self._connection.execute(f"use {CATALOG}")
        self._lock = threading.Lock()
        self._cache: dict[tuple, pd.DataFrame] = {}
        self._model: SegmentModel | None = None
        self._tables = {
            (schema, name)
            for schema, name in self._connection.execute(
                "select table_schema, table_name from information_schema.tables"
                " where table_catalog = ?",
                [CATALOG],
            ).fetchall()
        }

    def close(self) -> None:
        self._connection.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own for one thread, reading the attached warehouse."""
        cursor = self._connection.cursor()
        cursor.execute(f"use {CATALOG}")
        return cursor

    def has_table(self, name: str, schema: str = "marts") -> bool:
        return (schema, name) in self._tables

    def query(self, sql: str, params: Sequence | None = None) -> pd.DataFrame:
        """Run one (aggregating) query; the same query on the same file is answered from memory."""
        key = (sql, tuple(params or ()))
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached.copy()
        with self.cursor() as cursor:
            frame = cursor.execute(sql, list(params or ())).df()
        with self._lock:
            self._cache[key] = frame
        return frame.copy()

    def segment_model(self) -> SegmentModel:
        """The stored segment model, read by the API's own loader."""
        if self._model is None:
            with self.cursor() as cursor:
                self._model = load_segment_model(cursor)
        return self._model


# --- overview -------------------------------------------------------------------------------


def overview_kpis(wh: Warehouse) -> dict:
    """Customers with purchases, all customer ids, net revenue and the as-of date."""
    frame = wh.query(
        """
        select
            count(*) filter (where has_purchases) as customers,
            count(*) as customer_ids,
            coalesce(sum(monetary), 0) as revenue,
            max(as_of_date) as as_of_date
        from marts.fct_customer_rfm
        """
    )
    return frame.iloc[0].to_dict()


def run_info(wh: Warehouse) -> RunInfo:
    """The run of the published segments (segment_profiles.model_run_id) with its k and reason."""
    if not wh.has_table("segment_profiles"):
        return RunInfo(None, None, None, None)
    frame = wh.query(
        """
        with published as (
            select max(model_run_id) as model_run_id from marts.segment_profiles
        )
        select p.model_run_id, r.run_started_at, r.k, r.k_choice_reason
        from published as p
        left join marts.segmentation_runs as r on r.model_run_id = p.model_run_id
        """
    )
    row = frame.iloc[0]
    return RunInfo(
        row["model_run_id"],
        None if pd.isna(row["run_started_at"]) else row["run_started_at"].to_pydatetime(),
        None if pd.isna(row["k"]) else int(row["k"]),
        None if pd.isna(row["k_choice_reason"]) else row["k_choice_reason"],
    )


def segment_sizes(wh: Warehouse) -> pd.DataFrame:
    return wh.query(
        """
        select segment_id, segment_label, customers, share_of_customers, revenue, share_of_revenue
        from marts.segment_profiles
        order by segment_id
        """
    )


def rfm_grid(wh: Warehouse) -> pd.DataFrame:
    """Customers and revenue per (R, F) score cell, with the cell's named RFM segment."""
    return wh.query(
        """
        select r_score, f_score, min(rfm_segment) as rfm_segment,
               count(*) as customers, sum(monetary) as revenue
        from marts.fct_customer_rfm
        where has_purchases
        group by r_score, f_score
        order by r_score desc, f_score
        """
    )


def rfm_segments(wh: Warehouse) -> pd.DataFrame:
    return wh.query(
        """
        select rfm_segment, count(*) as customers, sum(monetary) as revenue,
               avg(recency_days) as mean_recency_days, avg(frequency) as mean_frequency,
               avg(monetary) as mean_monetary
        from marts.fct_customer_rfm
        where has_purchases
        group by rfm_segment
        order by customers desc, rfm_segment
        """
    )


# --- segment explorer ----------------------------------------------------------------------


def segment_profiles(wh: Warehouse) -> pd.DataFrame:
    return wh.query("select * from marts.segment_profiles order by segment_id")


def feature_distribution(wh: Warehouse, feature: str) -> pd.DataFrame:
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
        group by segment_id, segment_label
        order by segment_id
        """
    )


def pca_sample(wh: Warehouse, rows: int = SCATTER_SAMPLE_ROWS) -> pd.DataFrame:
    """A fixed-seed sample of at most `rows` customers with their PCA coordinates."""
    return wh.query(
        f"""
        select customer_id, segment_id, segment_label, pca_1, pca_2,
               recency_days, frequency, monetary
        from marts.customer_segments
        using sample reservoir({int(rows)} rows) repeatable ({SAMPLE_SEED})
        order by segment_id, customer_id
        """
    )


def segmented_customers(wh: Warehouse) -> int:
    return int(wh.query("select count(*) as n from marts.customer_segments")["n"].iloc[0])


def k_selection(wh: Warehouse) -> pd.DataFrame:
    return wh.query(
        """
        select k, inertia, silhouette, calinski_harabasz, davies_bouldin,
               is_chosen, is_elbow, choice_reason
        from marts.segment_k_selection
        order by k
        """
    )


def segment_rules(wh: Warehouse) -> pd.DataFrame:
    return wh.query(
        """
        select rule_id, segment_id, segment_label, rule, customers, share_in_segment,
               tree_agreement
        from marts.segment_rules
        order by rule_id
        """
    )


# --- migrations ----------------------------------------------------------------------------


def history_runs(wh: Warehouse, limit: int = 2) -> pd.DataFrame:
    """The latest runs of customer_segment_history, newest first."""
    return wh.query(
        """
        select model_run_id, max(run_started_at) as run_started_at,
               max(as_of_date) as as_of_date, count(*) as customers
        from marts.customer_segment_history
        group by model_run_id
        order by run_started_at desc, model_run_id desc
        limit ?
        """,
        [limit],
    )


def migration_matrix(wh: Warehouse, from_run: str, to_run: str) -> pd.DataFrame:
    """Customers per (segment in from_run, segment in to_run), stayers included, by label."""
    return wh.query(
        f"""
        with previous as (
            select customer_id, segment_label
            from marts.customer_segment_history where model_run_id = ?
        ),
        latest as (
            select customer_id, segment_label
            from marts.customer_segment_history where model_run_id = ?
        )
        select coalesce(p.segment_label, '{NOT_SEGMENTED}') as from_segment,
               coalesce(l.segment_label, '{NOT_SEGMENTED}') as to_segment,
               count(*) as customers
        from previous as p
        full outer join latest as l on l.customer_id = p.customer_id
        group by 1, 2
        order by 1, 2
        """,
        [from_run, to_run],
    )


def segment_migrations(wh: Warehouse) -> pd.DataFrame:
    return wh.query(
        """
        select from_segment_id, from_segment_label, to_segment_id, to_segment_label, customers
        from marts.segment_migrations
        order by customers desc, from_segment_id, to_segment_id
        """
    )


# --- students ------------------------------------------------------------------------------


def ltv_by(wh: Warehouse, dimension: str) -> pd.DataFrame:
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


def student_cohort_summary(wh: Warehouse) -> dict:
    frame = wh.query(
        """
        select min(cohort_year) as cohort_year, count(*) as students,
               count(*) filter (where ltv_class = 'high') as high_ltv_students,
               max(cohort_mean_ltv) as cohort_mean_ltv
        from marts.fct_students_cohort
        """
    )
    return frame.iloc[0].to_dict()


def whole_table(wh: Warehouse, name: str, order_by: str | None = None) -> pd.DataFrame:
    """A small published table as it is (model outputs: a row per component, rule, field ...)."""
    if not wh.has_table(name):
        raise LookupError(f"marts.{name} is not in the warehouse")
    order = f" order by {order_by}" if order_by else ""
    return wh.query(f'select * from marts."{name}"{order}')


def student_pca_sample(wh: Warehouse, rows: int = SCATTER_SAMPLE_ROWS) -> pd.DataFrame:
    """A fixed-seed sample of at most `rows` students with their segment and PCA coordinates."""
    return wh.query(
        f"""
        select student_id, segment_id, segment_label, pca_1, pca_2, ltv_class
        from marts.student_segments
        using sample reservoir({int(rows)} rows) repeatable ({SAMPLE_SEED})
        order by segment_id, student_id
        """
    )


def field_fill_rates(wh: Warehouse) -> pd.DataFrame:
    return wh.query(
        """
        select cohort_year, field_name, n_students, n_filled, fill_rate
        from marts.student_field_fill_rates
        order by cohort_year, field_name
        """
    )
