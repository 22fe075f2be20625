"""The Olist generator's money: a payment split over its items to the cent (no real tables
needed; the generator's tests against the real tables are in tests/integration)."""

from __future__ import annotations

import numpy as np

from scripts.stores.olist_sample import split_cents


def test_split_cents_is_exact():
    rng = np.random.default_rng(0)
    counts = rng.integers(1, 6, size=500)
    totals = rng.integers(0, 10**7, size=500)
    item_order = np.repeat(np.arange(500), counts)
    weights = rng.integers(1, 2**20, size=counts.sum())
    parts = split_cents(totals, weights, item_order)
    assert (np.bincount(item_order, weights=parts).astype(np.int64) == totals).all()
    assert (parts >= 0).all()
