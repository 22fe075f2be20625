"""Product recommendations from the published recommendation marts: a known customer's, as
marts.customer_recommendations publishes them, and a new customer's from one basket.

A basket is answered by the rule the build recommends with (macros/recommendations.sql,
`next_best_products`, method 'model'), with the basket as the customer's whole history:

1. products bought with the basket's (marts.product_associations): the consequents of the
   association_max_rules_per_product strongest rules (confidence desc, lift desc, consequent id
   asc) of each of the basket's first recommendation_max_customer_products products (a customer's
   most recently bought, ties to those in more baskets, then the lower id: in one basket, the
   lowest ids); score = the confidence of the product's best rule (confidence desc, lift desc,
   antecedent id asc), reason 'bought_with:<antecedent>';
2. the most popular products of the segment the basket falls in: the store's segment model
   (apps.segment_models) scores recency 0 days, frequency 1 and the value of the basket's known
   products; marts.product_popularity group_kind 'segment', score = share, reason
   'popular_in_segment';
3. the most popular products of the basket's dominant category (its largest value, ties to the
   lower category id): group_kind 'category', reason 'popular_in_category'.

The basket's products are never recommended. A product takes its first source (1, then 2, then 3)
and its best score there; the recommendations are ordered by source, score desc, (source 1) the
rule's lift desc, product id asc. The two dbt vars are read from dbt_project/dbt_project.yml, as
the build reads them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from apps.interest_models import BasketLine, NoKnownProduct
from apps.segment_models import StoreModel, score
from apps.warehouse import Snapshot
from scripts.project_paths import DBT_PROJECT_DIR

log = logging.getLogger(__name__)

DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"
# the dbt vars of the rule: the strongest rules of a product that count, and the products of a
# customer whose rules count; the values used when dbt_project.yml cannot be read
MAX_RULES_VAR = "association_max_rules_per_product"
MAX_ANTECEDENTS_VAR = "recommendation_max_customer_products"
DEFAULT_VARS = {MAX_RULES_VAR: 10, MAX_ANTECEDENTS_VAR: 50}

BOUGHT_WITH = "bought_with:"
POPULAR_IN_SEGMENT = "popular_in_segment"
POPULAR_IN_CATEGORY = "popular_in_category"
SOURCE_RULES, SOURCE_SEGMENT, SOURCE_CATEGORY = 1, 2, 3

# what each answer reads; a warehouse built before the recommendations has none of them
CUSTOMER_TABLES = ("customer_recommendations",)
BASKET_TABLES = ("product_associations", "product_popularity", "dim_products", "product_categories")

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
RULES_QUERY = """
select antecedent_product_id, consequent_product_id, confidence, lift
from marts.product_associations
where store = $store and antecedent_product_id in (select unnest($products))
"""
POPULARITY_QUERY = """
select group_kind, product_id, share
from marts.product_popularity
where store = $store
  and ((group_kind = 'segment' and group_id = $segment)
       or (group_kind = 'category' and group_id = $category))
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
class Candidate:
    """A product one source offers: its source (1 rules, 2 segment, 3 category), score, reason and
    tie break (the rule's lift; 0 for the popular products)."""

    source: int
    product_id: str
    score: float
    reason: str
    tie_break: float = 0.0


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


@dataclass(frozen=True)
class RuleSettings:
    max_rules_per_product: int  # association_max_rules_per_product
    max_antecedents: int  # recommendation_max_customer_products


@functools.cache
def rule_settings(project_file: Path = DBT_PROJECT_FILE) -> RuleSettings:
    """The rule's dbt vars from the project file (read once); the defaults for those it lacks."""
    try:
        config = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
        variables = config.get("vars") or {}
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        log.warning("dbt vars not read (%s): the recommendation rule uses its defaults", exc)
        variables = {}
    values = {name: int(variables.get(name, default)) for name, default in DEFAULT_VARS.items()}
    return RuleSettings(values[MAX_RULES_VAR], values[MAX_ANTECEDENTS_VAR])


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


# --- a new customer's basket: the rule, as pure functions --------------------------------------


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


def antecedents(basket: Iterable[str], max_antecedents: int) -> list[str]:
    """The basket products whose rules count: a customer's `max_antecedents` most recently bought
    products, ties to those in more baskets, then the lower id; the products of one basket tie on
    both, so the lowest ids."""
    return sorted(set(basket))[:max_antecedents]


def rule_candidates(
    rules: Iterable[tuple[str, str, float, float]], max_rules: int
) -> list[Candidate]:
    """Source 1: the consequents of each antecedent's `max_rules` strongest rules (confidence
    desc, lift desc, consequent id asc), scored by the rule's confidence. `rules`: the antecedents'
    rows of marts.product_associations as (antecedent, consequent, confidence, lift)."""
    ranked = sorted(rules, key=lambda r: (r[0], -r[2], -r[3], r[1]))
    kept: list[Candidate] = []
    taken: dict[str, int] = {}
    for antecedent, consequent, confidence, lift in ranked:
        if taken.get(antecedent, 0) < max_rules:
            taken[antecedent] = taken.get(antecedent, 0) + 1
            kept.append(
                Candidate(
                    SOURCE_RULES,
                    consequent,
                    float(confidence),
                    BOUGHT_WITH + antecedent,
                    float(lift),
                )
            )
    return kept


def popularity_candidates(
    popular: Iterable[tuple[str, float]], source: int, reason: str
) -> list[Candidate]:
    """Source 2 or 3: one group's rows of marts.product_popularity as (product, share), scored by
    their share."""
    return [Candidate(source, product, float(share), reason) for product, share in popular]


def rank_candidates(
    candidates: Iterable[Candidate], basket: Iterable[str], limit: int
) -> list[Candidate]:
    """The first `limit` candidates not in the basket: each product once, from its first source
    with its best score there (then the larger tie break, the smaller reason), ordered by source,
    score desc, tie break desc, product id."""
    excluded = set(basket)
    best: dict[str, Candidate] = {}

    def strength(c: Candidate) -> tuple:
        return (c.source, -c.score, -c.tie_break, c.reason)

    for candidate in candidates:
        if candidate.product_id in excluded:
            continue
        kept = best.get(candidate.product_id)
        if kept is None or strength(candidate) < strength(kept):
            best[candidate.product_id] = candidate
    ordered = sorted(best.values(), key=lambda c: (c.source, -c.score, -c.tie_break, c.product_id))
    return ordered[:limit]


# --- a new customer's basket: reading the marts ------------------------------------------------


def basket_recommendations(
    snapshot: Snapshot,
    segment_model: StoreModel,
    lines: Sequence[BasketLine],
    limit: int,
) -> BasketRecommendations:
    """A new customer's first `limit` recommendations from their basket in the store of
    `segment_model`. Unknown products are set aside; NoKnownProduct if none is known."""
    require_tables(snapshot, BASKET_TABLES)
    settings = rule_settings()
    store = segment_model.store
    requested = list(dict.fromkeys(line.product_id for line in lines))
    with snapshot.cursor() as cursor:
        known = cursor.execute(
            KNOWN_PRODUCTS_QUERY, {"store": store, "products": requested}
        ).fetchall()
        categories = {product: int(category) for product, category in known}
        values, unknown = basket_values(lines, categories)
        if not values:
            raise NoKnownProduct(unknown)
        basket = list(values)
        basket_value = sum(values.values())
        segment = score(segment_model, 0, 1, basket_value)
        category = dominant_category(values, categories)
        rules = cursor.execute(
            RULES_QUERY,
            {"store": store, "products": antecedents(basket, settings.max_antecedents)},
        ).fetchall()
        popular = cursor.execute(
            POPULARITY_QUERY,
            {"store": store, "segment": segment.segment_id, "category": category},
        ).fetchall()
        chosen = rank_candidates(
            [
                *rule_candidates(rules, settings.max_rules_per_product),
                *popularity_candidates(
                    [(p, share) for kind, p, share in popular if kind == "segment"],
                    SOURCE_SEGMENT,
                    POPULAR_IN_SEGMENT,
                ),
                *popularity_candidates(
                    [(p, share) for kind, p, share in popular if kind == "category"],
                    SOURCE_CATEGORY,
                    POPULAR_IN_CATEGORY,
                ),
            ],
            basket,
            limit,
        )
        details = cursor.execute(
            DETAILS_QUERY, {"store": store, "products": [c.product_id for c in chosen]}
        ).fetchall()
    described = {product: rest for product, *rest in details}
    recommendations = []
    for rank, candidate in enumerate(chosen, start=1):
        description, category_id, category_name = described.get(
            candidate.product_id, (None, None, None)
        )
        recommendations.append(
            Recommendation(
                rank=rank,
                product_id=candidate.product_id,
                description=description,
                category_id=None if category_id is None else int(category_id),
                category_name=category_name,
                score=candidate.score,
                reason=candidate.reason,
            )
        )
    return BasketRecommendations(
        store=store,
        recommendations=tuple(recommendations),
        segment_id=segment.segment_id,
        segment_label=segment.label,
        dominant_category_id=category,
        basket_value=basket_value,
        unknown_products=tuple(unknown),
    )
