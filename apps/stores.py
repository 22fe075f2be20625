"""The stores of a published warehouse (seed `stores`) and which one a request means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from apps.warehouse import Snapshot

# the stores this warehouse was built with: those with a segment model (the seed lists every
# store the project knows, built or not)
STORES_QUERY = """
select stores.store, coalesce(stores.display_name, stores.store) as display_name
from seeds.stores as stores
where stores.store in (select distinct segment_model.store from marts.segment_model)
order by stores.store
"""


class StoreChoiceError(ValueError):
    """A request names no store where there are several, or a store the warehouse does not have."""


def stores(snapshot: Snapshot) -> Mapping[str, str]:
    """Store -> display name, in store order; empty for a warehouse without the commerce side."""

    def read() -> Mapping[str, str]:
        if not (
            snapshot.has_table("stores", schema="seeds") and snapshot.has_table("segment_model")
        ):
            return MappingProxyType({})
        frame = snapshot.query(STORES_QUERY)
        return MappingProxyType(dict(zip(frame["store"], frame["display_name"], strict=True)))

    return snapshot.memo("stores", read)


def store_currencies(snapshot: Snapshot) -> Mapping[str, str | None]:
    """Store -> ISO currency code of its money (seed `stores`, column currency); empty for a
    warehouse built before the seed had it."""

    def read() -> Mapping[str, str | None]:
        if not snapshot.has_table("stores", schema="seeds"):
            return MappingProxyType({})
        frame = snapshot.query("select * from seeds.stores")
        if "currency" not in frame.columns:
            return MappingProxyType({})
        return MappingProxyType(dict(zip(frame["store"], frame["currency"], strict=True)))

    return snapshot.memo("store_currencies", read)


def choose_store(requested: str | None, available: Sequence[str]) -> str:
    """The store meant: the one named, else the only one (as the SQL macro rfm_segment_id decides)."""
    if not available:
        raise StoreChoiceError("the warehouse has no store")
    listed = ", ".join(available)
    if requested is None:
        if len(available) == 1:
            return available[0]
        raise StoreChoiceError(f"required: the warehouse has several stores: {listed}")
    if requested not in available:
        raise StoreChoiceError(f"unknown store; the warehouse's stores are: {listed}")
    return requested
