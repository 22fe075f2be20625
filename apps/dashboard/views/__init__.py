"""One module per dashboard page, each with `render(wh)`; PAGES maps the address slug to it."""

from __future__ import annotations

from apps.dashboard.views import migrations, overview, score, segments, students

PAGES = {
    "overview": ("Overview", overview.render),
    "segments": ("Segment explorer", segments.render),
    "migrations": ("Migrations", migrations.render),
    "students": ("Students", students.render),
    "score": ("Score a customer", score.render),
}
