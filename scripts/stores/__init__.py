"""The commerce stores a build can include, one adapter module each (scripts/stores/<store>.py).

This registry is the one list of stores on the Python side: the build's command-line options,
COMMERCE_STORES and the inputs come from it; tests/unit/test_store_registry.py checks that it
names the same stores as the dbt project's staging folders, dbt_project.yml and seed `stores`.
"""

from __future__ import annotations

from scripts.stores.adapter import StoreAdapter
from scripts.stores.generic_orders import GenericOrdersStore
from scripts.stores.olist import OlistStore
from scripts.stores.online_retail import OnlineRetailStore

# In the order their generated inputs are made when no store input is given
STORES: tuple[StoreAdapter, ...] = (OnlineRetailStore(), OlistStore(), GenericOrdersStore())
# The one store of warehouses published before there were stores (their tables have no store
# column); dbt's backfill_store_column() says the same
FIRST_STORE = STORES[0].name


def store_named(name: str) -> StoreAdapter:
    return next(store for store in STORES if store.name == name)
