"""One module per dashboard page, each with `render(wh, store)`; PAGES maps the address slug to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apps.dashboard.views import (
    clv,
    migrations,
    overview,
    products,
    profiles,
    recommendations,
    score,
    segments,
    students,
)
from apps.warehouse import Snapshot


@dataclass(frozen=True)
class Page:
    """A page: its title, its renderer, and whether it shows one store (the commerce side)."""

    title: str
    render: Callable[[Snapshot, str | None], None]
    per_store: bool = True


PAGES = {
    "overview": Page("Overview", overview.render),
    "segments": Page("Segment explorer", segments.render),
    "profiles": Page("Segment profiles by attribute", profiles.render),
    "products": Page("Products and interests", products.render),
    "recommendations": Page("Recommendations", recommendations.render),
    "migrations": Page("Migrations", migrations.render),
    "clv": Page("Lifetime value and churn", clv.render),
    "students": Page("Students", students.render, per_store=False),
    "score": Page("Score a customer", score.render),
}
