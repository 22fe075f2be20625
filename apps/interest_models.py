"""Each store's product-interest model of a published warehouse: what /api/interest predicts with.

The prediction model is not stored in the warehouse: it is fitted when a publish is opened, per
store, with models_py.interests as the build's interest prediction fits it (`interest_pipeline`,
the features ['first_order_date', 'region', share columns, 'n_lines', 'basket_value'], fixed seed,
one native thread), but on ALL customers' first orders rather than those before a cutoff: the
features from `interests.first_orders_from_baskets` on intermediate.int_customer_first_baskets, the
target from `interests.dominant_categories` on intermediate.int_customer_category_shares. Above
interests.MAX_TRAINING_CUSTOMERS customers it is fitted on a fixed-seed sample of that many, as the
build's evaluation is.

Fitting takes up to a second or two per store, so the load of a publish
(the API's `require` hook, apps.api.app.load_models) starts it on a background thread of its own:
the publish is swapped in as soon as its segment models load, and only an /api/interest request
arriving during the first seconds waits for its store's model. A store whose model cannot be
fitted (no product tables, one dominant category ...) has none: /api/interest says why.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import duckdb
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from apps.stores import stores
from apps.warehouse import Snapshot
from models_py import interests
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

SAMPLE_SEED = interests.RANDOM_STATE
TOP_PROBABILITIES = 10
BASKET_CUSTOMER_ID = 0
BASKET_ORDER_ID = "basket"
# the first-order features the build's interest prediction fits on (interest_prediction)
NON_SHARE_FEATURES = ("first_order_date", "region", "n_lines", "basket_value")

REQUIRED_TABLES = (
    ("intermediate", "int_customer_first_baskets"),
    ("intermediate", "int_customer_category_shares"),
    ("marts", "dim_products"),
    ("marts", "product_categories"),
    ("marts", "interest_segment_profiles"),
)

# customers of a store with order lines and a dominant category (those interest_prediction keeps)
ELIGIBLE_QUERY = """
select distinct shares.customer_id
from intermediate.int_customer_category_shares as shares
where shares.store = $store and shares.is_dominant
  and shares.customer_id in (
      select baskets.customer_id
      from intermediate.int_customer_first_baskets as baskets
      where baskets.store = $store
  )
order by shares.customer_id
"""
BASKETS_QUERY = """
select customer_id, first_order_date, region, category_id, basket_share, n_lines, basket_value
from intermediate.int_customer_first_baskets
where store = $store and customer_id in (select unnest($customers))
order by customer_id, category_id
"""
SHARES_QUERY = """
select customer_id, category_id, is_dominant
from intermediate.int_customer_category_shares
where store = $store and customer_id in (select unnest($customers))
order by customer_id, category_id
"""
PRODUCTS_QUERY = "select product_id, category_id from marts.dim_products where store = ?"
CATEGORIES_QUERY = """
select category_id, category_name from marts.product_categories where store = ? order by category_id
"""
SEGMENTS_QUERY = """
select interest_segment_id, interest_segment_label, category_id, mean_share, model_run_id
from marts.interest_segment_profiles
where store = ?
order by interest_segment_id, category_id
"""


class InterestModelUnavailable(Exception):
    """A store has no product-interest model; the message says why and names no server file."""


class InterestModelNotReady(Exception):
    """A store's product-interest model is still being fitted."""


class NoKnownProduct(ValueError):
    """No product of a basket is in the store's dim_products."""

    def __init__(self, unknown: Sequence[str]) -> None:
        super().__init__("no product of the basket is known to the store")
        self.unknown = list(unknown)


@dataclass(frozen=True)
class StoreInterestModel:
    """One store's fitted interest model and what answering a basket needs besides it."""

    store: str
    pipeline: Pipeline
    products: Mapping[str, int]  # product_id -> category_id (marts.dim_products)
    category_names: Mapping[int, str]  # marts.product_categories
    segment_ids: tuple[int, ...]  # interest segments, in id order
    segment_labels: tuple[str, ...]
    segment_categories: tuple[int, ...]  # the columns of segment_centroids
    segment_centroids: np.ndarray  # segment x category mean shares (interest_segment_profiles)
    regions: frozenset[str]  # the regions of the training customers
    training_customers: int  # first orders fitted on
    eligible_customers: int  # customers with a first order and a dominant category
    model_run_id: str | None  # the run of the store's interest marts
    fit_seconds: float

    @property
    def sampled(self) -> bool:
        return self.training_customers < self.eligible_customers

    def category_name(self, category_id: int) -> str:
        return self.category_names.get(category_id, str(category_id))


@dataclass(frozen=True)
class BasketLine:
    product_id: str
    quantity: int
    unit_price: float


@dataclass(frozen=True)
class CategoryShare:
    category_id: int
    value: float
    share: float
    lines: int


@dataclass(frozen=True)
class BasketPrediction:
    """What one first basket says about a new customer's interest in a store."""

    predicted_category: int
    probabilities: tuple[
        tuple[int, float], ...
    ]  # every category the model knows, most likely first
    mix: tuple[CategoryShare, ...]  # the basket's categories, largest share first
    basket_value: float
    nearest_segment: int
    nearest_segment_label: str
    nearest_segment_distance: float
    unknown_products: tuple[str, ...]
    order_date: date
    region: str | None
    region_known: bool


# --- loading -----------------------------------------------------------------------------------


class InterestModels:
    """Every store's interest model of one snapshot, each fitted once on a background thread."""

    def __init__(self, snapshot: Snapshot, store_names: Sequence[str]) -> None:
        self._snapshot = snapshot
        self._futures: dict[str, Future] = {store: Future() for store in store_names}
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        """Start fitting, one thread per store (once; later calls do nothing). Daemon threads: a
        process that exits does not wait for a fit."""
        with self._lock:
            if self._started:
                return
            self._started = True
        for store, future in self._futures.items():
            threading.Thread(
                target=self._fit, args=(store, future), name=f"interest-model-{store}", daemon=True
            ).start()

    def _fit(self, store: str, future: Future) -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fit_store_model(self._snapshot, store))
        except InterestModelUnavailable as exc:
            log.warning("no product interest model for store %r: %s", store, exc)
            future.set_exception(exc)
        except Exception as exc:  # the kind only: DuckDB and OS errors name server files
            log.exception("fitting the product interest model of store %r failed", store)
            future.set_exception(
                InterestModelUnavailable(f"its model could not be fitted ({type(exc).__name__})")
            )

    def get(self, store: str, timeout: float | None) -> StoreInterestModel:
        """The store's model, waiting at most `timeout` seconds for its fit; raises
        InterestModelUnavailable (no model) or InterestModelNotReady (still fitting)."""
        future = self._futures.get(store)
        if future is None:
            raise InterestModelUnavailable("the store is not in this warehouse")
        self.start()
        try:
            return future.result(timeout=timeout)
        except FutureTimeout as exc:
            raise InterestModelNotReady(store) from exc


def interest_models(snapshot: Snapshot) -> InterestModels:
    """The interest models of a snapshot (one object per snapshot; call .start() to fit them)."""
    return snapshot.memo(
        "interest_models", lambda: InterestModels(snapshot, list(stores(snapshot)))
    )


def _records(cursor: duckdb.DuckDBPyConnection, sql: str, params) -> pd.DataFrame:
    return cursor.execute(sql, params).df()


def fit_store_model(snapshot: Snapshot, store: str) -> StoreInterestModel:
    """Fit one store's interest model on (a fixed-seed sample of) all its customers' first orders;
    InterestModelUnavailable when the warehouse cannot give it one."""
    started = time.perf_counter()
    missing = [f"{s}.{t}" for s, t in REQUIRED_TABLES if not snapshot.has_table(t, schema=s)]
    if missing:
        raise InterestModelUnavailable(
            f"the published warehouse lacks {', '.join(missing)} (build it with `make run`)"
        )
    with snapshot.cursor() as cursor:
        eligible = _records(cursor, ELIGIBLE_QUERY, {"store": store})["customer_id"]
        ids = eligible.to_numpy("int64")
        if len(ids) == 0:
            raise InterestModelUnavailable(
                "no customer of the store has a first order with a product category"
                " (intermediate.int_customer_first_baskets)"
            )
        chosen = training_sample(ids)
        customers = {"store": store, "customers": chosen.tolist()}
        baskets = _records(cursor, BASKETS_QUERY, customers)
        shares = _records(cursor, SHARES_QUERY, customers)
        products = _records(cursor, PRODUCTS_QUERY, [store])
        categories = _records(cursor, CATEGORIES_QUERY, [store])
        profiles = _records(cursor, SEGMENTS_QUERY, [store])
    if profiles.empty:
        raise InterestModelUnavailable("marts.interest_segment_profiles has no rows for it")
    first_orders = interests.first_orders_from_baskets(baskets)
    dominant = interests.dominant_categories(shares)
    training = first_orders.merge(dominant, on=interests.ID, how="inner", validate="one_to_one")
    training = training.sort_values(interests.ID, kind="mergesort").reset_index(drop=True)
    target = training["dominant_category_id"].to_numpy("int64")
    if len(np.unique(target)) < 2:
        raise InterestModelUnavailable(
            "its customers share one dominant category: there is nothing to predict"
        )
    share_columns = interests.share_columns(first_orders)
    features = [*NON_SHARE_FEATURES[:2], *share_columns, *NON_SHARE_FEATURES[2:]]
    pipeline = interests.interest_pipeline(share_columns)
    try:
        with threadpool_limits(limits=1):  # as interest_prediction: identical sums on every run
            pipeline.fit(training[features], target)
    except SegmentationError as exc:
        raise InterestModelUnavailable(str(exc)) from exc
    centroids = (
        profiles.pivot_table(
            index="interest_segment_id", columns="category_id", values="mean_share", fill_value=0.0
        )
        .sort_index(axis=0)
        .sort_index(axis=1)
    )
    labels = profiles.drop_duplicates("interest_segment_id").set_index("interest_segment_id")
    elapsed = time.perf_counter() - started
    model = StoreInterestModel(
        store=store,
        pipeline=pipeline,
        products=MappingProxyType(
            dict(
                zip(
                    products["product_id"].astype(str),
                    products["category_id"].astype(int),
                    strict=True,
                )
            )
        ),
        category_names=MappingProxyType(
            {
                int(c): str(n)
                for c, n in zip(categories["category_id"], categories["category_name"], strict=True)
            }
        ),
        segment_ids=tuple(int(s) for s in centroids.index),
        segment_labels=tuple(str(labels.loc[s, "interest_segment_label"]) for s in centroids.index),
        segment_categories=tuple(int(c) for c in centroids.columns),
        segment_centroids=centroids.to_numpy(float),
        regions=frozenset(str(r) for r in training["region"].unique()),
        training_customers=len(training),
        eligible_customers=len(ids),
        model_run_id=_run_id(profiles),
        fit_seconds=elapsed,
    )
    log.info(
        "product interest model of store %r: %d categories, fitted on %d of %d first orders in %.1f s",
        store,
        len(pipeline.classes_),
        model.training_customers,
        model.eligible_customers,
        elapsed,
    )
    return model


def training_sample(ids: np.ndarray, limit: int = interests.MAX_TRAINING_CUSTOMERS) -> np.ndarray:
    """All `ids` (sorted) when at most `limit`, else a fixed-seed sample of `limit` of them."""
    ordered = np.sort(ids)
    if len(ordered) <= limit:
        return ordered
    rng = np.random.default_rng(SAMPLE_SEED)
    return np.sort(rng.choice(ordered, size=limit, replace=False))


def _run_id(profiles: pd.DataFrame) -> str | None:
    runs = profiles["model_run_id"].dropna()
    return str(runs.max()) if len(runs) else None


# --- answering a basket ------------------------------------------------------------------------


def predict_basket(
    model: StoreInterestModel,
    lines: Sequence[BasketLine],
    region: str | None,
    order_date: date,
) -> BasketPrediction:
    """A first basket's predicted dominant category, category probabilities, category mix and
    nearest interest segment. Unknown products are set aside; NoKnownProduct if none is known."""
    unknown = list(
        dict.fromkeys(line.product_id for line in lines if line.product_id not in model.products)
    )
    known = [line for line in lines if line.product_id in model.products]
    if not known:
        raise NoKnownProduct(unknown)
    basket = pd.DataFrame(
        {
            "category_id": [model.products[line.product_id] for line in known],
            "value": [line.quantity * line.unit_price for line in known],
        }
    )
    per_category = basket.groupby("category_id", sort=True).agg(
        value=("value", "sum"), lines=("value", "size")
    )
    # one row per category of the basket, as first_order_features reads an order
    order = pd.DataFrame(
        {
            interests.ID: BASKET_CUSTOMER_ID,
            "order_id": BASKET_ORDER_ID,
            "order_date": pd.Timestamp(order_date),
            "region": region,
            interests.CATEGORY: per_category.index.to_numpy("int64"),
            "net_spend": per_category["value"].to_numpy(float),
        }
    )
    features = interests.first_order_features(order)
    predicted, probabilities = interests.predict_interest(model.pipeline, features)
    share_columns = interests.share_columns(features)
    shares = {
        int(column[len(interests.SHARE_PREFIX) :]): float(features[column].iloc[0])
        for column in share_columns
    }
    mix = sorted(
        (
            CategoryShare(int(c), float(row["value"]), shares.get(int(c), 0.0), int(row["lines"]))
            for c, row in per_category.iterrows()
        ),
        key=lambda item: (-item.share, item.category_id),
    )
    segment, distance = nearest_segment(model, shares)
    ranked = sorted(probabilities.items(), key=lambda item: (-item[1], item[0]))
    return BasketPrediction(
        predicted_category=int(predicted),
        probabilities=tuple((int(c), float(p)) for c, p in ranked),
        mix=tuple(mix),
        basket_value=float(per_category["value"].sum()),
        nearest_segment=model.segment_ids[segment],
        nearest_segment_label=model.segment_labels[segment],
        nearest_segment_distance=distance,
        unknown_products=tuple(unknown),
        order_date=order_date,
        region=region,
        region_known=region is not None and region in model.regions,
    )


def nearest_segment(model: StoreInterestModel, shares: Mapping[int, float]) -> tuple[int, float]:
    """The position of the interest segment whose centroid (mean shares) is nearest the basket's
    category shares (Euclidean; a category absent from the profiles counts fully), ties to the
    lower segment id."""
    vector = np.array([shares.get(c, 0.0) for c in model.segment_categories])
    elsewhere = sum(s * s for c, s in shares.items() if c not in set(model.segment_categories))
    squared = ((model.segment_centroids - vector) ** 2).sum(axis=1) + elsewhere
    position = int(np.argmin(squared))  # first of equal distances: the lower id
    return position, float(math.sqrt(squared[position]))
