"""The semantic layer (docs/metrics.md): the metrics MetricFlow computes on a built warehouse equal
hand-written SQL on the same file, `mf query` works as documented, and the four revenue figures
of the marts differ by exactly the amounts the docs name.

No build of its own: the session's generated warehouse, copied (MetricFlow opens its file through
dbt's DuckDB adapter, read-write), with the semantic manifest its build's dbt wrote. MetricFlow
runs in a subprocess (this file run as a script), so dbt's global state never reaches the worker.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from scripts.project_paths import DBT_PROJECT_DIR, PROJECT_ROOT, SEEDS_DIR

# The queries MetricFlow answers, each compared with the hand-written SQL of the same name.
QUERIES = {
    "by_month": (
        ["revenue", "orders", "buyers", "average_order_value"],
        ["metric_time__month", "store__currency"],
    ),
    "by_segment": (["revenue"], ["customer__segment_label", "customer__rfm_segment"]),
    "by_country": (["revenue"], ["order__country"]),
    "repeat_rate": (
        ["repeat_rate", "customers", "customers_with_purchases"],
        ["store", "customer__rfm_segment"],
    ),
    "clv": (["predicted_clv", "average_predicted_clv"], ["store__currency"]),
}

HAND_WRITTEN = {
    "by_month": """
        select
            date_trunc('month', orders.order_date) as metric_time__month,
            stores.currency as store__currency,
            sum(orders.order_value) as revenue,
            sum(case when orders.is_cancellation then 0 else 1 end) as orders,
            count(distinct case when not orders.is_cancellation
                then orders.store || '|' || orders.customer_id end) as buyers,
            sum(orders.order_value) / sum(case when orders.is_cancellation then 0 else 1 end)
                as average_order_value
        from marts.fct_orders as orders
        left join seeds.stores as stores on orders.store = stores.store
        group by 1, 2
    """,
    "by_segment": """
        select
            segments.segment_label as customer__segment_label,
            rfm.rfm_segment as customer__rfm_segment,
            sum(orders.order_value) as revenue
        from marts.fct_orders as orders
        left join marts.customer_segments as segments
            on orders.store = segments.store and orders.customer_id = segments.customer_id
        left join marts.fct_customer_rfm as rfm
            on orders.store = rfm.store and orders.customer_id = rfm.customer_id
        group by 1, 2
    """,
    "by_country": """
        select country as order__country, sum(order_value) as revenue
        from marts.fct_orders
        group by 1
    """,
    "repeat_rate": """
        select
            store,
            rfm_segment as customer__rfm_segment,
            cast(count(*) filter (where frequency >= 2) as double)
                / nullif(count(*) filter (where has_purchases), 0) as repeat_rate,
            count(*) as customers,
            count(*) filter (where has_purchases) as customers_with_purchases
        from marts.fct_customer_rfm
        group by 1, 2
    """,
    "clv": """
        select
            stores.currency as store__currency,
            sum(clv.predicted_clv) as predicted_clv,
            avg(clv.predicted_clv) as average_predicted_clv
        from marts.customer_lifetime_value as clv
        left join seeds.stores as stores on clv.store = stores.store
        group by 1
    """,
}


def metricflow_project(place: Path, warehouse: Path) -> tuple[Path, dict]:
    """A dbt project folder for MetricFlow beside a copy of `warehouse`: the project's own files
    (linked) with the semantic manifest of the warehouse's build in its target/, so that neither
    dbt_project/target nor the shared warehouse is touched. Returns it and the environment."""
    copy = place / "warehouse.duckdb"  # the build's file name: the manifest's catalog
    shutil.copyfile(warehouse, copy)
    project = place / "dbt_project"
    project.mkdir()
    for entry in DBT_PROJECT_DIR.iterdir():
        if entry.name not in {"target", "logs"}:
            (project / entry.name).symlink_to(entry)
    (place / SEEDS_DIR.name).symlink_to(SEEDS_DIR)  # seed-paths: ../seeds
    built = warehouse.parent / f".build-{warehouse.name}" / "target" / "semantic_manifest.json"
    (project / "target").mkdir()
    shutil.copyfile(built, project / "target" / "semantic_manifest.json")
    environment = dict(
        os.environ,
        DBT_PROJECT_DIR=str(project),
        DBT_PROFILES_DIR=str(PROJECT_ROOT),
        DBT_DUCKDB_PATH=str(copy),
        DO_NOT_TRACK="1",
    )
    return project, environment


def run_metricflow_queries(out: Path) -> None:
    """Answer QUERIES with MetricFlow's engine (what `mf query` calls), once set up; write JSON."""
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    configuration = CLIConfiguration()
    configuration.setup(configure_file_logging=False)
    answers = {}
    for name, (metrics, group_by) in QUERIES.items():
        request = MetricFlowQueryRequest.create(metric_names=metrics, group_by_names=group_by)
        table = configuration.mf.query(mf_request=request).result_df
        answers[name] = {
            "columns": list(table.column_names),
            "rows": [
                [str(value) if value is not None else None for value in row] for row in table.rows
            ],
        }
    out.write_text(json.dumps(answers))


@pytest.fixture(scope="module")
def metricflow(generated_warehouse, tmp_path_factory):
    place = tmp_path_factory.mktemp("metricflow")
    project, environment = metricflow_project(place, generated_warehouse.path)
    out = place / "answers.json"
    result = subprocess.run(
        [sys.executable, __file__, str(out)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=project,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    answers = json.loads(out.read_text())
    return place, project, environment, answers


def as_frame(answer: dict) -> pd.DataFrame:
    return pd.DataFrame(answer["rows"], columns=answer["columns"])


def compared(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Both answers keyed alike (keys as text, values as numbers), sorted the same way."""
    frames = []
    for frame in (left, right):
        frame = frame.copy()
        for key in keys:
            frame[key] = frame[key].map(
                lambda value: None if value is None or pd.isna(value) else str(value)[:10]
            )
        for column in frame.columns.difference(keys):
            frame[column] = pd.to_numeric(frame[column])
        frames.append(frame.sort_values(keys, na_position="first").reset_index(drop=True))
    return frames


@pytest.mark.parametrize("name", list(QUERIES))
def test_metricflow_equals_hand_written_sql(metricflow, generated_warehouse, name):
    answers = metricflow[3]
    _, group_by = QUERIES[name]
    with duckdb.connect(str(generated_warehouse.path), read_only=True) as con:
        expected = con.execute(HAND_WRITTEN[name]).df()
    got = as_frame(answers[name])
    assert len(got) > 0
    assert sorted(got.columns) == sorted(expected.columns)
    got, expected = compared(got, expected[got.columns], group_by)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-9)


def test_revenue_is_published_in_the_stores_currency(metricflow):
    answers = metricflow[3]
    currencies = {row[1] for row in answers["by_month"]["rows"]}
    with duckdb.connect(str(metricflow[0] / "warehouse.duckdb"), read_only=True) as con:
        seeded = {row[0] for row in con.execute("select currency from seeds.stores").fetchall()}
    assert currencies and currencies <= seeded and None not in currencies


def test_mf_query_command_as_documented(metricflow):
    """The command of docs/metrics.md, as a person runs it: `mf query` from the project folder,
    on the read-only `metrics` target, while another reader holds the file open."""
    place, project, environment, answers = metricflow
    out = place / "revenue_by_month.csv"
    reader = duckdb.connect(str(place / "warehouse.duckdb"), read_only=True)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("mf")),
            "query",
            "--metrics",
            "revenue",
            "--group-by",
            "metric_time__month",
            "--csv",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=dict(environment, DBT_TARGET="metrics"),
        cwd=project,
    )
    reader.close()
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    table = pd.read_csv(out)
    total = sum(float(row[2]) for row in answers["by_month"]["rows"])
    assert table["revenue"].sum() == pytest.approx(total, rel=1e-9)


def test_the_builds_manifest_holds_the_semantic_layer(generated_warehouse):
    """The build's dbt parsed the semantic models, the metrics and the time spine."""
    target = generated_warehouse.path.parent / f".build-{generated_warehouse.path.name}" / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    semantic_models = {node["name"] for node in manifest["semantic_models"].values()}
    metrics = {node["name"] for node in manifest["metrics"].values()}
    assert semantic_models == {
        "orders",
        "customers",
        "customer_segments",
        "customer_lifetime_value",
        "stores",
    }
    assert {"revenue", "orders", "buyers", "average_order_value", "repeat_rate"} <= metrics
    assert {"customers", "predicted_clv"} <= metrics
    spine = next(
        node for node in manifest["nodes"].values() if node["name"] == "metricflow_time_spine"
    )
    assert spine["time_spine"]["standard_granularity_column"] == "date_day"


# The reconciliation of docs/metrics.md: each named difference between the marts' revenue figures.
RECONCILIATION = """
    with rfm as (
        select
            sum(monetary) as monetary,
            sum(monetary) filter (where is_cancellation_only) as cancellation_only,
            sum(monetary) filter (where has_purchases and monetary <= 0) as non_positive
        from marts.fct_customer_rfm
    ),
    lines as (
        select sum(line_value) filter (where not exists (
            select 1 from intermediate.int_product_lines_classified as bought
            where bought.store = returned.store and bought.product_id = returned.product_id
                and bought.reason = 'purchase' and bought.counts_in_monetary
        )) as returns_of_products_never_sold
        from intermediate.int_product_lines_classified as returned
        where counts_in_monetary and not is_service_line
    )
    select
        (select sum(order_value) from marts.fct_orders) as orders_value,
        rfm.monetary,
        (select sum(revenue) from marts.segment_profiles) as segment_profiles_revenue,
        (select sum(revenue) from marts.dim_products) as products_revenue,
        coalesce(rfm.cancellation_only, 0) as cancellation_only,
        coalesce(rfm.non_positive, 0) as non_positive,
        coalesce(lines.returns_of_products_never_sold, 0) as returns_of_products_never_sold
    from rfm cross join lines
"""


def check_reconciliation(warehouse) -> dict:
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        figures = con.execute(RECONCILIATION).df().iloc[0].astype(float).to_dict()
    revenue = figures["orders_value"]
    assert figures["monetary"] == pytest.approx(revenue, abs=1e-6)
    assert figures["segment_profiles_revenue"] == pytest.approx(
        revenue - figures["cancellation_only"] - figures["non_positive"], abs=1e-6
    )
    assert figures["products_revenue"] == pytest.approx(
        revenue - figures["returns_of_products_never_sold"], abs=1e-6
    )
    return figures


def test_revenue_figures_reconcile_on_generated_data(generated_warehouse):
    check_reconciliation(generated_warehouse)


@pytest.mark.real_data
def test_revenue_figures_reconcile_on_the_real_file(real_warehouse):
    """The figures docs/metrics.md quotes for the real Online Retail file."""
    figures = check_reconciliation(real_warehouse)
    assert round(figures["orders_value"]) == 8_265_477
    assert round(figures["segment_profiles_revenue"]) == 8_269_637
    assert round(figures["products_revenue"]) == 8_265_703
    assert figures["cancellation_only"] == pytest.approx(-3_922.98, abs=0.01)
    assert figures["non_positive"] == pytest.approx(-237.41, abs=0.01)
    assert figures["returns_of_products_never_sold"] == pytest.approx(-225.59, abs=0.01)


if __name__ == "__main__":
    run_metricflow_queries(Path(sys.argv[1]))
