"""Each store's product-interest model of a published warehouse: what /api/interest predicts with.

The build chooses each store's method on its time split (marts.interest_prediction_evaluation,
`is_served`), fits it on every customer's first order and stores it in marts.interest_model
(models_py.interest_model: the fitted estimator pickled, or nothing for a baseline, with the
scikit-learn version it was fitted with). Opening a publish loads it (apps.api.app.load_models):
nothing is fitted here. A store whose model cannot be loaded (no marts.interest_model, no row for
the store, another scikit-learn version, no product tables ...) has none: /api/interest says why.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

import numpy as np
import pandas as pd

from apps.stores import stores
from apps.warehouse import Snapshot
from models_py import interests
from models_py.errors import SegmentationError
from models_py.interest_model import InterestModel

log = logging.getLogger(__name__)

TOP_PROBABILITIES = 10
BASKET_CUSTOMER_ID = 0
BASKET_ORDER_ID = "basket"

REQUIRED_TABLES = (
    ("marts", "interest_model"),
    ("intermediate", "int_customer_first_baskets"),
    ("marts", "dim_products"),
    ("marts", "product_categories"),
    ("marts", "interest_segment_profiles"),
)

MODEL_QUERY = """
select method, reason, model_blob, sklearn_version, majority_category_id, n_train, n_customers,
    model_run_id, fitted_at
from marts.interest_model
where store = ?
"""
REGIONS_QUERY = """
select distinct region
from intermediate.int_customer_first_baskets
where store = ? and region is not null
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


class NoKnownProduct(ValueError):
    """No product of a basket is in the store's dim_products."""

    def __init__(self, unknown: Sequence[str]) -> None:
        super().__init__("no product of the basket is known to the store")
        self.unknown = list(unknown)


@dataclass(frozen=True)
class StoreInterestModel:
    """One store's stored interest model and what answering a basket needs besides it."""

    store: str
    model: InterestModel  # the served method, loaded from marts.interest_model
    reason: str  # why it is served (marts.interest_model.reason)
    fitted_at: datetime | None
    products: Mapping[str, int]  # product_id -> category_id (marts.dim_products)
    category_names: Mapping[int, str]  # marts.product_categories
    segment_ids: tuple[int, ...]  # interest segments, in id order
    segment_labels: tuple[str, ...]
    segment_categories: tuple[int, ...]  # the columns of segment_centroids
    segment_centroids: np.ndarray  # segment x category mean shares (interest_segment_profiles)
    regions: frozenset[str]  # the regions of the store's customers' first orders
    model_run_id: str | None  # the run that fitted it

    @property
    def method(self) -> str:
        return self.model.method

    @property
    def training_customers(self) -> int:
        return self.model.n_train

    @property
    def eligible_customers(self) -> int:
        return self.model.n_customers

    @property
    def sampled(self) -> bool:
        return 0 < self.training_customers < self.eligible_customers

    @property
    def categories(self) -> int:
        """The categories the served method can predict."""
        if self.model.estimator is not None:
            return len(self.model.estimator.classes_)
        return 1 if self.method == "majority_category" else len(self.category_names)

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
    # every category the model knows, most likely first; empty for a baseline (no probabilities)
    probabilities: tuple[tuple[int, float], ...]
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
    """Every store's stored interest model of one snapshot (or why it has none), loaded once."""

    def __init__(self, snapshot: Snapshot, store_names: Sequence[str]) -> None:
        self._models: dict[str, StoreInterestModel | InterestModelUnavailable] = {}
        for store in store_names:
            try:
                self._models[store] = load_store_model(snapshot, store)
            except InterestModelUnavailable as exc:
                log.warning("no product interest model for store %r: %s", store, exc)
                self._models[store] = exc

    def get(self, store: str) -> StoreInterestModel:
        """The store's model; InterestModelUnavailable (saying why) when it has none."""
        found = self._models.get(store)
        if found is None:
            raise InterestModelUnavailable("the store is not in this warehouse")
        if isinstance(found, InterestModelUnavailable):
            raise found
        return found


def interest_models(snapshot: Snapshot) -> InterestModels:
    """The interest models of a snapshot, loaded on first use (one object per snapshot)."""
    return snapshot.memo(
        "interest_models", lambda: InterestModels(snapshot, list(stores(snapshot)))
    )


def load_store_model(snapshot: Snapshot, store: str) -> StoreInterestModel:
    """Load one store's interest model from marts.interest_model (never fit it);
    InterestModelUnavailable when the warehouse cannot give it one."""
    missing = [f"{s}.{t}" for s, t in REQUIRED_TABLES if not snapshot.has_table(t, schema=s)]
    if missing:
        raise InterestModelUnavailable(
            f"the published warehouse lacks {', '.join(missing)} (build it with `make run`)"
        )
    with snapshot.cursor() as cursor:
        stored = cursor.execute(MODEL_QUERY, [store]).df()
        regions = cursor.execute(REGIONS_QUERY, [store]).df()
        products = cursor.execute(PRODUCTS_QUERY, [store]).df()
        categories = cursor.execute(CATEGORIES_QUERY, [store]).df()
        profiles = cursor.execute(SEGMENTS_QUERY, [store]).df()
    if stored.empty:
        raise InterestModelUnavailable(
            "marts.interest_model has no row for it (the build found no customer with a first"
            " order and a product category)"
        )
    if profiles.empty:
        raise InterestModelUnavailable("marts.interest_segment_profiles has no rows for it")
    row = stored.iloc[0]
    blob = row["model_blob"]
    try:
        model = InterestModel.from_stored(
            str(row["method"]),
            None if blob is None or (isinstance(blob, float) and math.isnan(blob)) else blob,
            str(row["sklearn_version"]),
            int(row["majority_category_id"]),
            int(row["n_train"]),
            int(row["n_customers"]),
        )
    except SegmentationError as exc:  # StoredModelError: says why, names no server file
        raise InterestModelUnavailable(f"its stored model cannot be used: {exc}") from exc
    except Exception as exc:  # the kind only: an unpickling error may name server paths
        log.exception("loading the stored interest model of store %r failed", store)
        raise InterestModelUnavailable(
            f"its stored model could not be loaded ({type(exc).__name__})"
        ) from exc
    centroids = (
        profiles.pivot_table(
            index="interest_segment_id", columns="category_id", values="mean_share", fill_value=0.0
        )
        .sort_index(axis=0)
        .sort_index(axis=1)
    )
    labels = profiles.drop_duplicates("interest_segment_id").set_index("interest_segment_id")
    fitted_at = row["fitted_at"]
    result = StoreInterestModel(
        store=store,
        model=model,
        reason=str(row["reason"]),
        fitted_at=None if pd.isna(fitted_at) else pd.Timestamp(fitted_at).to_pydatetime(),
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
        regions=frozenset(str(r) for r in regions["region"]),
        model_run_id=None if pd.isna(row["model_run_id"]) else str(row["model_run_id"]),
    )
    log.info("product interest model of store %r: %s (%s)", store, model.method, result.reason)
    return result


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
    predicted, probabilities = model.model.predict(features)
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
    ranked = sorted((probabilities or {}).items(), key=lambda item: (-item[1], item[0]))
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
