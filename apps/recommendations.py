"""Product recommendations from the published recommendation marts: a known customer's, as
marts.customer_recommendations publishes them, and a new customer's from one basket.

A basket is answered by the warehouse's own SQL: the stored table macro
marts.next_best_for_basket (macros/recommendations.sql), the rule every customer's list is
computed with (`next_best_products`, method 'model') over the basket as one order of a customer in
the segment the basket falls in. That segment is the store's segment model (apps.segment_models)
scoring recency 0 days, frequency 1 and the value of the basket's known products; the rule reads
the published rules, popularity and categories: products bought with the basket's, then the most
popular of the basket's segment, then of its dominant category (its largest value, ties to the
lower category id), never a product of the basket.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from apps.interest_models import BasketLine, NoKnownProduct
from apps.segment_models import StoreModel, score
from apps.warehouse import Snapshot

# what each answer reads; a warehouse built before the recommendations has none of them
CUSTOMER_TABLES = ("customer_recommendations",)
BASKET_TABLES = ("product_associations", "product_popularity", "dim_products", "product_categories")
# the stored rule a basket is answered with (a warehouse built before it has none)
BASKET_RULE = "next_best_for_basket"

CUSTOMER_QUERY = """
select recommendation_rank, product_id, description, category_id, category_name, score, reason,
       segment_id, segment_label
from marts.customer_recommendations
where store = ? and customer_id = ?
order by recommendation_rank
"""
# whether an id without recommendations is a customer of the store at all (e.g. one with no
# purchase, only returns)
IS_CUSTOMER_QUERY = """
select count(*) > 0 from marts.fct_customer_rfm where store = ? and customer_id = ?
"""
KNOWN_PRODUCTS_QUERY = """
select product_id, category_id
from marts.dim_products
where store = $store and product_id in (select unnest($products))
"""
BASKET_RULE_QUERY = f"""
select product_id, score, reason
from marts.{BASKET_RULE}($store, $segment, $lines)
where method = 'model'
order by recommendation_rank
limit $limit
"""
HAS_BASKET_RULE_QUERY = f"""
select count(*) > 0 from duckdb_functions()
where database_name = current_database() and schema_name = 'marts' and function_name = '{BASKET_RULE}'
"""
DETAILS_QUERY = """
select products.product_id, products.description, products.category_id, categories.category_name
from marts.dim_products as products
left join marts.product_categories as categories
    on products.store = categories.store and products.category_id = categories.category_id
where products.store = $store and products.product_id in (select unnest($products))
"""


class RecommendationsUnavailable(Exception):
    """The published warehouse has no recommendation marts (built before them); the message says
    which and names no server file."""


@dataclass(frozen=True)
class Recommendation:
    rank: int
    product_id: str
    description: str | None
    category_id: int | None
    category_name: str | None
    score: float
    reason: str


@dataclass(frozen=True)
class CustomerRecommendations:
    """A known customer's rows of marts.customer_recommendations."""

    store: str
    customer_id: int
    segment_id: int | None
    segment_label: str | None
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class BasketRecommendations:
    """A new customer's recommendations from one basket."""

    store: str
    recommendations: tuple[Recommendation, ...]
    segment_id: int
    segment_label: str
    dominant_category_id: int
    basket_value: float  # of the known products: the monetary value the segment is scored with
    unknown_products: tuple[str, ...]


def missing_tables(snapshot: Snapshot, tables: Iterable[str]) -> list[str]:
    return [f"marts.{name}" for name in tables if not snapshot.has_table(name)]


def require_tables(snapshot: Snapshot, tables: Iterable[str]) -> None:
    """RecommendationsUnavailable when the published warehouse lacks any of `tables`."""
    missing = missing_tables(snapshot, tables)
    if missing:
        raise RecommendationsUnavailable(
            f"the published warehouse lacks {', '.join(missing)}: rebuild it with `make run`"
        )


def _optional(value):
    return None if pd.isna(value) else value


# --- a known customer --------------------------------------------------------------------------


def customer_recommendations(
    snapshot: Snapshot, store: str, customer_id: int
) -> CustomerRecommendations | None:
    """The customer's published recommendations in rank order; None when the store has none for
    them (is_customer tells an unknown id from a customer with no purchase)."""
    require_tables(snapshot, CUSTOMER_TABLES)
    with snapshot.cursor() as cursor:
        rows = cursor.execute(CUSTOMER_QUERY, [store, customer_id]).df()
    if rows.empty:
        return None
    first = rows.iloc[0]
    segment_id = _optional(first["segment_id"])
    return CustomerRecommendations(
        store=store,
        customer_id=customer_id,
        segment_id=None if segment_id is None else int(segment_id),
        segment_label=_optional(first["segment_label"]),
        recommendations=tuple(
            Recommendation(
                rank=int(row.recommendation_rank),
                product_id=str(row.product_id),
                description=_optional(row.description),
                category_id=None if pd.isna(row.category_id) else int(row.category_id),
                category_name=_optional(row.category_name),
                score=float(row.score),
                reason=str(row.reason),
            )
            for row in rows.itertuples(index=False)
        ),
    )


def is_customer(snapshot: Snapshot, store: str, customer_id: int) -> bool:
    """Whether the id is one of the store's customers (marts.fct_customer_rfm)."""
    if not snapshot.has_table("fct_customer_rfm"):
        return False
    with snapshot.cursor() as cursor:
        return bool(cursor.execute(IS_CUSTOMER_QUERY, [store, customer_id]).fetchone()[0])


# --- a new customer's basket -------------------------------------------------------------------


def basket_values(
    lines: Sequence[BasketLine], categories: dict[str, int]
) -> tuple[dict[str, float], list[str]]:
    """The value (quantity x unit price, summed) of each known product of the basket, in the order
    of the lines, and the unknown product ids (each once, in the order of the lines)."""
    values: dict[str, float] = {}
    unknown: dict[str, None] = {}
    for line in lines:
        if line.product_id in categories:
            values[line.product_id] = values.get(line.product_id, 0.0) + (
                line.quantity * line.unit_price
            )
        else:
            unknown.setdefault(line.product_id)
    return values, list(unknown)


def dominant_category(values: dict[str, float], categories: dict[str, int]) -> int:
    """The category of the basket's largest value, ties to the lower category id."""
    per_category: dict[int, float] = {}
    for product_id, value in values.items():
        category = categories[product_id]
        per_category[category] = per_category.get(category, 0.0) + value
    return min(per_category, key=lambda category: (-per_category[category], category))


def basket_recommendations(
    snapshot: Snapshot,
    segment_model: StoreModel,
    lines: Sequence[BasketLine],
    limit: int,
) -> BasketRecommendations:
    """A new customer's first `limit` recommendations from their basket in the store of
    `segment_model`. Unknown products are set aside; NoKnownProduct if none is known."""
    require_tables(snapshot, BASKET_TABLES)
    store = segment_model.store
    requested = list(dict.fromkeys(line.product_id for line in lines))
    with snapshot.cursor() as cursor:
        if not cursor.execute(HAS_BASKET_RULE_QUERY).fetchone()[0]:
            raise RecommendationsUnavailable(
                f"the published warehouse lacks marts.{BASKET_RULE}: rebuild it with `make run`"
            )
        known = cursor.execute(
            KNOWN_PRODUCTS_QUERY, {"store": store, "products": requested}
        ).fetchall()
        categories = {product: int(category) for product, category in known}
        values, unknown = basket_values(lines, categories)
        if not values:
            raise NoKnownProduct(unknown)
        basket_value = sum(values.values())
        segment = score(segment_model, 0, 1, basket_value)
        chosen = cursor.execute(
            BASKET_RULE_QUERY,
            {
                "store": store,
                "segment": segment.segment_id,
                "lines": [
                    {"product_id": product, "line_value": value}
                    for product, value in values.items()
                ],
                "limit": limit,
            },
        ).fetchall()
        details = cursor.execute(
            DETAILS_QUERY, {"store": store, "products": [product for product, _, _ in chosen]}
        ).fetchall()
    described = {product: rest for product, *rest in details}
    recommendations = []
    for rank, (product, product_score, reason) in enumerate(chosen, start=1):
        description, category_id, category_name = described.get(product, (None, None, None))
        recommendations.append(
            Recommendation(
                rank=rank,
                product_id=product,
                description=description,
                category_id=None if category_id is None else int(category_id),
                category_name=category_name,
                score=float(product_score),
                reason=reason,
            )
        )
    return BasketRecommendations(
        store=store,
        recommendations=tuple(recommendations),
        segment_id=segment.segment_id,
        segment_label=segment.label,
        dominant_category_id=dominant_category(values, categories),
        basket_value=basket_value,
        unknown_products=tuple(unknown),
    )
