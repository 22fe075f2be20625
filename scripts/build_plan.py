"""Which dbt invocations a build runs on its private copy, and in what order.

Everything at once on a first build, --fresh or --refit. Otherwise the scoring build (the stored
segment models score every customer; with the next-best refresh of the customers who bought
since when the copy has its product side: a daily build), then the product side (products,
interests, recommendations: dbt tag `products`) only when a store refitted its model, a product
relation is missing, or the product tables hold a store the build leaves out.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from scripts.dbt_runner import run_dbt


def run_dbt_build(
    build_file: Path,
    inputs: dict,
    dbt_vars: dict,
    quiet: bool,
    selector: str | None = None,
    command: str = "build",
) -> None:
    """Run `dbt build` (or another `command`) against build_file; raise BuildError (or
    RefusedBuild for bad data)."""
    arguments = [command]
    if dbt_vars:
        arguments += ["--vars", json.dumps(dbt_vars)]
    if selector:
        arguments += ["--selector", selector]
    run_dbt(
        arguments, {"DBT_DUCKDB_PATH": str(build_file)}, inputs, build_file.parent / "target", quiet
    )


# The selectors (dbt_project/selectors.yml) of a build that scores with the stored segment models,
# by domain (--only): with the next-best refresh when the copy has its product side (daily), and
# of the product side that follows it when a store refitted.
SCORING_SELECTORS = {None: "scoring", "commerce": "commerce_scoring"}
DAILY_SELECTORS = {None: "daily", "commerce": "commerce_daily"}
PRODUCT_SIDE_SELECTOR = "product_side"
PRODUCT_TAG = "products"


def product_relations(target_dir: Path) -> list[tuple[str, str]]:
    """(schema, name) of every relation of the product side, from dbt's manifest of the build."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    return sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and PRODUCT_TAG in node.get("tags", [])
        and node["config"].get("materialized") != "ephemeral"
        and node["config"].get("enabled", True)
    )


def missing_product_relations(build_file: Path) -> list[str]:
    """The relations of the product side (by dbt's manifest of the last build in this folder)
    that build_file lacks."""
    relations = product_relations(build_file.parent / "target")
    with duckdb.connect(str(build_file), read_only=True) as con:
        present = set(
            con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        )
    return [f"{schema}.{name}" for schema, name in relations if (schema, name) not in present]


def has_product_side(build_file: Path, inputs: dict, dbt_vars: dict, quiet: bool) -> bool:
    """Whether the copy of the published warehouse has every product relation, so that a daily
    build can refresh next-best products from its stored rules. The relations come from dbt's
    manifest, parsed first in a new build folder (the build then reuses the parse)."""
    if not (build_file.parent / "target" / "manifest.json").exists():
        run_dbt_build(build_file, inputs, dbt_vars, quiet, command="parse")
    return not missing_product_relations(build_file)


def refreshed_customers(build_file: Path) -> int:
    """How many customers' next-best products the last dbt invocation computed."""
    run_results = json.loads((build_file.parent / "target" / "run_results.json").read_text())
    with duckdb.connect(str(build_file), read_only=True) as con:
        return con.execute(
            "select count(distinct store || '|' || cast(customer_id as varchar))"
            " from intermediate.int_customer_recommendations where load_id = ?",
            [run_results["metadata"]["invocation_id"]],
        ).fetchone()[0]


def product_side_due(build_file: Path, stores: list[str]) -> str | None:
    """Why the product side must be rebuilt after a scoring build (None: it stays as published):
    a store refitted its segment model, a product relation is missing, or the product tables
    hold a store this build does not include."""
    missing = missing_product_relations(build_file)
    with duckdb.connect(str(build_file), read_only=True) as con:
        refitted = [
            store
            for (store,) in con.execute(
                "select store from intermediate.int_segment_refit_decisions"
                " where is_refit order by store"
            ).fetchall()
        ]
        if refitted:
            return f"the segment model of {', '.join(refitted)} was refitted"
        if missing:
            return f"{missing[0]} is not in the warehouse yet"
        product_stores = {
            store
            for (store,) in con.execute("select distinct store from marts.dim_products").fetchall()
        }
    gone = sorted(product_stores - set(stores))
    if gone:
        return f"the product tables still hold store {', '.join(gone)}, which this build leaves out"
    return None


def run_builds(
    build_file: Path,
    environment: dict,
    extra_vars: dict,
    quiet: bool,
    selector: str | None,
    copied: bool,
    stores: list[str],
) -> str | None:
    """Run dbt: everything at once on a first build, --fresh or --refit; otherwise the scoring
    build (with the next-best refresh of the customers who bought since, when the copy has its
    product side), then the product side only when it is due. Returns what happened to the
    product side (None when the build has no commerce side)."""
    if selector == "students":
        run_dbt_build(build_file, environment, extra_vars, quiet, selector)
        return None
    if not copied or is_true(extra_vars.get("segment_refit")):
        run_dbt_build(build_file, environment, extra_vars, quiet, selector)
        return "rebuilt (full build)"
    daily = has_product_side(build_file, environment, extra_vars, quiet)
    selectors = DAILY_SELECTORS if daily else SCORING_SELECTORS
    run_dbt_build(build_file, environment, extra_vars, quiet, selectors[selector])
    due = product_side_due(build_file, stores)
    if due is None:
        refreshed = ""
        if daily:
            customers = refreshed_customers(build_file)
            refreshed = (
                f"; next-best products refreshed for {customers:,} customers who bought since"
                " (or changed segment)"
                if customers
                else "; next-best products kept (no customer bought since)"
            )
        return f"kept as published (no segment model was refitted){refreshed}"
    run_dbt_build(build_file, environment, extra_vars, quiet, PRODUCT_SIDE_SELECTOR)
    return f"rebuilt ({due})"


def is_true(value) -> bool:
    """A dbt var given as JSON or text (true, "true", 1, "yes")."""
    return str(value).strip().lower() in ("true", "1", "yes")
