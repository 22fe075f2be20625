"""A store's served product-interest predictor: fitted once by the build on every customer's first
order (the method the time split chose), stored in the warehouse, loaded by the readers (fit, save,
load, predict; never refitted by a reader)."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator

from models_py import interests
from models_py.errors import SegmentationError

log = logging.getLogger(__name__)

SAMPLE_SEED = interests.RANDOM_STATE
PICKLE_PROTOCOL = 5


class StoredModelError(SegmentationError):
    """A stored interest model cannot be used by this process; the message says why."""


@dataclass(frozen=True)
class InterestModel:
    """One store's served interest predictor: a method of interests.METHODS, its fitted estimator
    (None for a baseline), the majority category of the customers it was fitted on, and how many
    it was fitted on (of how many eligible)."""

    method: str
    estimator: BaseEstimator | None
    majority_category_id: int
    n_train: int
    n_customers: int
    sklearn_version: str = sklearn.__version__

    @property
    def is_baseline(self) -> bool:
        return self.method in interests.BASELINES

    def predict(
        self, features: pd.DataFrame | Mapping[str, Any]
    ) -> tuple[int, dict[int, float] | None]:
        """One customer's predicted dominant category from first-order features, and each
        category's probability (None for a baseline, which gives no probability)."""
        frame = (
            pd.DataFrame([dict(features)])
            if isinstance(features, Mapping)
            else features.reset_index(drop=True)
        )
        if len(frame) != 1:
            raise SegmentationError(f"predict takes one customer, got {len(frame)} rows")
        if self.estimator is not None:
            return interests.predict_interest(self.estimator, frame)
        predicted, _ = interests.predict_method(
            self.method, frame, majority=self.majority_category_id
        )
        return int(predicted[0]), None

    def estimator_bytes(self) -> bytes | None:
        """The fitted estimator pickled (None for a baseline): what the warehouse stores."""
        if self.estimator is None:
            return None
        return pickle.dumps(self.estimator, protocol=PICKLE_PROTOCOL)

    @classmethod
    def from_stored(
        cls,
        method: str,
        estimator_bytes: bytes | None,
        sklearn_version: str,
        majority_category_id: int,
        n_train: int,
        n_customers: int,
    ) -> InterestModel:
        """The model as the warehouse stores it; StoredModelError when this process cannot use it
        (another scikit-learn version, an unknown method, a fitted method without its estimator).
        The bytes are unpickled: read them only from a warehouse the project's build wrote."""
        if method not in interests.METHODS:
            raise StoredModelError(f"the stored method {method!r} is not one this code knows")
        if sklearn_version != sklearn.__version__:
            raise StoredModelError(
                f"it was fitted with scikit-learn {sklearn_version} and this process runs"
                f" {sklearn.__version__}: rebuild the warehouse (make run) with this version"
            )
        estimator = None
        if method not in interests.BASELINES:
            if estimator_bytes is None:
                raise StoredModelError(f"the stored {method} has no fitted estimator")
            estimator = pickle.loads(
                bytes(estimator_bytes)
            )  # the build's own bytes, never a user's
        return cls(
            method=method,
            estimator=estimator,
            majority_category_id=int(majority_category_id),
            n_train=int(n_train),
            n_customers=int(n_customers),
            sklearn_version=sklearn_version,
        )


def training_sample(
    ids: np.ndarray, limit: int = interests.MAX_TRAINING_CUSTOMERS, seed: int = SAMPLE_SEED
) -> np.ndarray:
    """All `ids` (sorted) when at most `limit`, else a fixed-seed sample of `limit` of them."""
    ordered = np.sort(np.asarray(ids))
    if len(ordered) <= limit:
        return ordered
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(ordered, size=limit, replace=False))


def fit(
    first_orders: pd.DataFrame,
    dominant: pd.DataFrame,
    method: str,
    random_state: int = interests.RANDOM_STATE,
) -> InterestModel:
    """Fit `method` on every customer's first order (a fixed-seed sample of
    interests.MAX_TRAINING_CUSTOMERS above), as the time split fitted it on the customers before
    its cutoff; a baseline fits nothing but keeps the majority category."""
    if method not in interests.METHODS:
        raise SegmentationError(f"unknown interest method {method!r}")
    customers = interests.customers_with_target(first_orders, dominant)
    if customers.empty:
        raise SegmentationError("no customer has a first order and a dominant category")
    chosen = training_sample(customers[interests.ID].to_numpy("int64"))
    training = (
        customers.loc[customers[interests.ID].isin(chosen)]
        .sort_values(interests.ID, kind="mergesort")
        .reset_index(drop=True)
    )
    target = training["dominant_category_id"].to_numpy("int64")
    estimator = None
    if method not in interests.BASELINES:
        if len(np.unique(target)) < 2:
            raise SegmentationError("its customers share one dominant category: nothing to learn")
        estimator = interests.fit_method(method, training, target, random_state)
    log.info(
        "interest model %s fitted on %d of %d customers", method, len(training), len(customers)
    )
    return InterestModel(
        method=method,
        estimator=estimator,
        majority_category_id=interests.majority_category(target),
        n_train=0 if method == "first_basket" else len(training),
        n_customers=len(customers),
    )
