"""Rebuild the shipped Superset dashboard (bi/superset/dashboard/) through a running Superset's API.

    .venv-superset/bin/python bi/superset/build_export.py --url http://127.0.0.1:8088

A maintainer's tool, not part of the build: it creates the database connection, the datasets,
the charts and the dashboard defined below in a Superset started by `make superset`, exports the
dashboard and writes the export, unzipped, over bi/superset/dashboard/ with the warehouse's path
replaced by a placeholder (superset_server.py puts the served file's path back at import). Edit
the definitions here, run it, review the YAML diff.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import sys
import uuid
import zipfile
from pathlib import Path

import requests
import yaml

HERE = Path(__file__).resolve().parent
EXPORT_DIR = HERE / "dashboard"
URI_PLACEHOLDER = "duckdb:///WAREHOUSE_PATH"
DATABASE_NAME = "Customer segmentation warehouse (read-only)"
DASHBOARD_TITLE = "Customer segments"
DASHBOARD_SLUG = "customer-segments"

# Migrations between the latest two segmentation runs of each store (as the analysis
# segment_migrations_last_two_runs), labelled by side so that stayers make a sankey, not a cycle.
MIGRATIONS_SQL = """\
with pairs as (
    select distinct m.store, m.to_run_id, r.run_started_at
    from marts.segment_migrations as m
    inner join marts.segmentation_runs as r
        on m.store = r.store and m.to_run_id = r.model_run_id
),
latest as (
    select
        store,
        to_run_id,
        row_number() over (
            partition by store order by run_started_at desc, to_run_id desc
        ) as pair_rank
    from pairs
)
select
    m.store,
    'from: ' || coalesce(m.from_segment_label, '(not segmented)') as from_segment,
    'to: ' || coalesce(m.to_segment_label, '(not segmented)') as to_segment,
    m.is_move,
    m.customers
from marts.segment_migrations as m
inner join latest as l
    on m.store = l.store and m.to_run_id = l.to_run_id and l.pair_rank = 1
"""

# The ten products recommended to most customers, per store.
TOP_RECOMMENDED_SQL = """\
with counted as (
    select
        store,
        coalesce(description, product_id) as product,
        count(*) as customers,
        avg(recommendation_rank) as mean_rank
    from marts.customer_recommendations
    group by store, coalesce(description, product_id)
),
ranked as (
    select
        *,
        row_number() over (partition by store order by customers desc, product) as product_rank
    from counted
)
select store, product, customers, mean_rank, product_rank
from ranked
where product_rank <= 10
"""

# Segment profiles with each store's currency (seed stores), which Superset reads to put the
# right symbol on money; the dashboard's Store filter keeps every figure within one currency.
SEGMENT_PROFILES_SQL = """\
select profiles.*, stores.currency
from marts.segment_profiles as profiles
left join seeds.stores as stores
    on profiles.store = stores.store
"""

DATASETS = {
    "segment_profiles": {
        "schema": "marts",
        "table_name": "segment_profiles",
        "sql": SEGMENT_PROFILES_SQL,
    },
    "fct_customer_rfm": {"schema": "marts", "table_name": "fct_customer_rfm"},
    "recommendation_evaluation": {"schema": "marts", "table_name": "recommendation_evaluation"},
    "segment_migrations_latest": {
        "schema": "marts",
        "table_name": "segment_migrations_latest",
        "sql": MIGRATIONS_SQL,
    },
    "top_recommended_products": {
        "schema": "marts",
        "table_name": "top_recommended_products",
        "sql": TOP_RECOMMENDED_SQL,
    },
}


# Datasets whose money Superset formats in the currency of the rows shown (one store: its
# symbol; several currencies: a plain number, never a sum labelled in one of them).
CURRENCY_COLUMNS = {"segment_profiles": "currency"}
AUTO_CURRENCY = {"symbol": "AUTO", "symbolPosition": "prefix"}
STORE_FILTER = "NATIVE_FILTER-store"


def metric(aggregate: str | None, column: str | None, label: str) -> dict:
    """An ad-hoc metric: SUM(column) and the like, or COUNT(*) when aggregate is None."""
    if aggregate is None:
        return {
            "expressionType": "SQL",
            "sqlExpression": "COUNT(*)",
            "label": label,
            "hasCustomLabel": True,
        }
    return {
        "expressionType": "SIMPLE",
        "aggregate": aggregate,
        "column": {"column_name": column},
        "label": label,
        "hasCustomLabel": True,
    }


def bar(x_axis: str, metrics: list[dict], **extra) -> dict:
    return {
        "viz_type": "echarts_timeseries_bar",
        "x_axis": x_axis,
        "metrics": metrics,
        "groupby": ["store"],
        "adhoc_filters": [],
        "row_limit": 1000,
        "orientation": "vertical",
        "show_legend": True,
        "legendOrientation": "top",
        "rich_tooltip": True,
        "y_axis_format": "SMART_NUMBER",
        "x_axis_sort_asc": False,
        "x_axis_sort_series": "sum",
        "x_axis_sort_series_ascending": False,
        "color_scheme": "supersetColors",
        **extra,
    }


# (row, width, dataset, title, form data)
CHARTS = [
    (
        1,
        3,
        "segment_profiles",
        "Customers",
        {
            "viz_type": "big_number_total",
            "metric": metric("SUM", "customers", "customers"),
            "adhoc_filters": [],
            "subheader": "customers in a segment, in the chosen store",
            "y_axis_format": ",d",
        },
    ),
    (
        1,
        3,
        "segment_profiles",
        "Revenue",
        {
            "viz_type": "big_number_total",
            "metric": metric("SUM", "revenue", "revenue"),
            "adhoc_filters": [],
            "subheader": "net revenue of the segmented customers, in the store's currency",
            "y_axis_format": ",.0f",
            "currency_format": AUTO_CURRENCY,
        },
    ),
    (
        1,
        6,
        "segment_profiles",
        "Customers per segment",
        {
            "viz_type": "pie",
            "groupby": ["segment_label"],
            "metric": metric("SUM", "customers", "customers"),
            "adhoc_filters": [],
            "row_limit": 100,
            "show_labels": True,
            "label_type": "key_percent",
            "labels_outside": True,
            "show_legend": False,
            "donut": True,
            "color_scheme": "supersetColors",
        },
    ),
    (
        2,
        6,
        "segment_profiles",
        "Revenue per segment",
        bar(
            "segment_label",
            [metric("SUM", "revenue", "revenue")],
            y_axis_format=",.0f",
            currency_format=AUTO_CURRENCY,
        ),
    ),
    (
        2,
        6,
        "fct_customer_rfm",
        "RFM grid: customers by recency (x) and frequency (y) score",
        {
            "viz_type": "heatmap_v2",
            "x_axis": "r_score",
            "groupby": "f_score",
            "metric": metric(None, None, "customers"),
            "adhoc_filters": [],
            "row_limit": 1000,
            "normalize_across": "heatmap",
            "linear_color_scheme": "schemeBlues",
            "show_values": True,
            "show_legend": True,
            "sort_x_axis": "alpha_asc",
            "sort_y_axis": "alpha_asc",
            "y_axis_format": "SMART_NUMBER",
            "xscale_interval": -1,
            "yscale_interval": -1,
            "value_bounds": [None, None],
        },
    ),
    (
        3,
        6,
        "segment_migrations_latest",
        "Segment migrations between the last two runs",
        {
            "viz_type": "sankey_v2",
            "source": "from_segment",
            "target": "to_segment",
            "metric": metric("SUM", "customers", "customers"),
            "adhoc_filters": [],
            "row_limit": 1000,
            "color_scheme": "supersetColors",
        },
    ),
    (
        3,
        6,
        "fct_customer_rfm",
        "Customers per RFM segment",
        bar("rfm_segment", [metric(None, None, "customers")]),
    ),
    (
        4,
        6,
        "top_recommended_products",
        "Most recommended products (next-best, customers)",
        bar("product", [metric("SUM", "customers", "customers")], orientation="horizontal"),
    ),
    (
        4,
        6,
        "recommendation_evaluation",
        "Recommendations against popularity (offline holdout, top 10)",
        {
            "viz_type": "table",
            "query_mode": "raw",
            "all_columns": [
                "store",
                "method",
                "precision_at_10",
                "recall_at_10",
                "hit_rate_at_10",
                "catalogue_coverage",
                "customers_evaluated",
            ],
            "adhoc_filters": [],
            "row_limit": 100,
            "table_timestamp_format": "smart_date",
            "show_cell_bars": True,
            "column_config": {
                name: {"d3NumberFormat": ".1%"}
                for name in (
                    "precision_at_10",
                    "recall_at_10",
                    "hit_rate_at_10",
                    "catalogue_coverage",
                )
            },
        },
    ),
]


class Superset:
    """A logged-in API session (JWT plus the CSRF token Superset asks of writes)."""

    def __init__(self, url: str, username: str, password: str):
        self.url = url.rstrip("/")
        self.http = requests.Session()
        token = self.post(
            "/api/v1/security/login",
            {"username": username, "password": password, "provider": "db", "refresh": True},
        )["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        csrf = self.get("/api/v1/security/csrf_token/")["result"]
        self.http.headers.update({"X-CSRFToken": csrf, "Referer": self.url})

    def _check(self, response: requests.Response) -> dict:
        if response.status_code >= 400:
            raise SystemExit(f"error: {response.request.method} {response.url}: {response.text}")
        return response.json() if response.content else {}

    def get(self, path: str, **params) -> dict:
        return self._check(self.http.get(self.url + path, params=params, timeout=60))

    def post(self, path: str, body: dict) -> dict:
        return self._check(self.http.post(self.url + path, json=body, timeout=120))

    def put(self, path: str, body: dict | None = None) -> dict:
        return self._check(self.http.put(self.url + path, json=body, timeout=120))

    def delete(self, path: str) -> dict:
        return self._check(self.http.delete(self.url + path, timeout=60))

    def find(self, resource: str, column: str, value: str) -> int | None:
        query = {"filters": [{"col": column, "opr": "eq", "value": value}]}
        found = self.get(f"/api/v1/{resource}/", q=_rison(query))["result"]
        return found[0]["id"] if found else None


def _rison(value) -> str:
    """The few rison shapes the list endpoints take (dicts, lists, strings, numbers)."""
    if isinstance(value, dict):
        return "(" + ",".join(f"{k}:{_rison(v)}" for k, v in value.items()) + ")"
    if isinstance(value, list):
        return "!(" + ",".join(_rison(v) for v in value) + ")"
    if isinstance(value, str):
        return "'" + value.replace("!", "!!").replace("'", "!'") + "'"
    return json.dumps(value)


def build(api: Superset, duckdb_path: Path) -> int:
    """Create (anew) the database, datasets, charts and dashboard; return the dashboard's id."""
    old = api.find("dashboard", "slug", DASHBOARD_SLUG)
    if old is not None:
        for chart in api.get(f"/api/v1/dashboard/{old}/charts")["result"]:
            api.delete(f"/api/v1/chart/{chart['id']}")
        api.delete(f"/api/v1/dashboard/{old}")
    database = api.find("database", "database_name", DATABASE_NAME)
    uri = f"duckdb:///{duckdb_path.resolve()}?access_mode=read_only"
    if database is None:
        database = api.post(
            "/api/v1/database/",
            {
                "database_name": DATABASE_NAME,
                "sqlalchemy_uri": uri,
                "expose_in_sqllab": True,
                "allow_dml": False,
            },
        )["id"]
    datasets = {}
    for name, spec in DATASETS.items():
        existing = api.find("dataset", "table_name", spec["table_name"])
        if existing is not None:
            api.delete(f"/api/v1/dataset/{existing}")
        datasets[name] = api.post("/api/v1/dataset/", {"database": database, **spec})["id"]
        api.put(f"/api/v1/dataset/{datasets[name]}/refresh")
        if name in CURRENCY_COLUMNS:
            api.put(
                f"/api/v1/dataset/{datasets[name]}",
                {"currency_code_column": CURRENCY_COLUMNS[name]},
            )
    dashboard = api.post(
        "/api/v1/dashboard/",
        {"dashboard_title": DASHBOARD_TITLE, "slug": DASHBOARD_SLUG, "published": True},
    )["id"]
    layout: dict = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": DASHBOARD_TITLE}},
    }
    for number, (row, width, dataset, title, form_data) in enumerate(CHARTS, start=1):
        datasource = f"{datasets[dataset]}__table"
        chart = api.post(
            "/api/v1/chart/",
            {
                "slice_name": title,
                "viz_type": form_data["viz_type"],
                "datasource_id": datasets[dataset],
                "datasource_type": "table",
                "params": json.dumps({**form_data, "datasource": datasource}),
                "dashboards": [dashboard],
            },
        )["id"]
        chart_uuid = api.get(f"/api/v1/chart/{chart}", q="(columns:!(uuid))")["result"]["uuid"]
        row_id = f"ROW-{row}"
        if row_id not in layout:
            layout[row_id] = {
                "type": "ROW",
                "id": row_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID"],
                "meta": {"background": "BACKGROUND_TRANSPARENT"},
            }
            layout["GRID_ID"]["children"].append(row_id)
        chart_id = f"CHART-{number}"
        layout[row_id]["children"].append(chart_id)
        layout[chart_id] = {
            "type": "CHART",
            "id": chart_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID", row_id],
            "meta": {
                "chartId": chart,
                "uuid": chart_uuid,
                "width": width,
                "height": 50,
                "sliceName": title,
            },
        }
    charts = [layout[key]["meta"]["chartId"] for key in layout if key.startswith("CHART-")]
    metadata = {
        "color_scheme": "supersetColors",
        "refresh_frequency": 0,
        "native_filter_configuration": [store_filter(datasets["segment_profiles"], charts)],
    }
    api.put(
        f"/api/v1/dashboard/{dashboard}",
        {"position_json": json.dumps(layout), "json_metadata": json.dumps(metadata)},
    )
    return dashboard


def store_filter(dataset: int, charts: list[int]) -> dict:
    """The dashboard's Store filter: one store at a time (the first by default), on every chart,
    so that no total adds up two stores' currencies."""
    return {
        "id": STORE_FILTER,
        "name": "Store",
        "type": "NATIVE_FILTER",
        "filterType": "filter_select",
        "description": "Every figure is within one store, in its currency.",
        "targets": [{"datasetId": dataset, "column": {"name": "store"}}],
        "controlValues": {
            "enableEmptyFilter": True,
            "defaultToFirstItem": True,
            "multiSelect": False,
            "searchAllOptions": False,
            "inverseSelection": False,
        },
        # applied before the charts load (without it the first store shows selected while the
        # charts still sum every store until "Apply filters")
        "requiredFirst": True,
        "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
        "cascadeParentIds": [],
        "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
        "chartsInScope": charts,
        "tabsInScope": [],
    }


def export(api: Superset, dashboard: int) -> None:
    """Write the dashboard's export, unzipped, over EXPORT_DIR (the warehouse path templated)."""
    response = api.http.get(
        f"{api.url}/api/v1/dashboard/export/", params={"q": f"!({dashboard})"}, timeout=120
    )
    if response.status_code >= 400:
        raise SystemExit(f"error: export: {response.text}")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        files = {
            Path(*Path(name).parts[1:]): archive.read(name).decode()  # no dated top folder
            for name in archive.namelist()
        }
    # Stable uuids (from each object's kind and file name) and file names (without Superset's
    # ids), so that rebuilding the export changes only what changed.
    stable_names, uuids = {}, {}
    for relative, text in files.items():
        stable = relative.with_name(re.sub(r"_\d+\.yaml$", ".yaml", relative.name))
        stable_names[relative] = stable
        content = yaml.safe_load(text)
        if "uuid" in content:
            uuids[content["uuid"]] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"segmentation/{stable}"))
    if EXPORT_DIR.exists():
        shutil.rmtree(EXPORT_DIR)
    for relative, text in files.items():
        for old, new in uuids.items():
            text = text.replace(old, new)
        if relative.parts[0] == "databases":
            content = yaml.safe_load(text)
            content["sqlalchemy_uri"] = URI_PLACEHOLDER
            text = yaml.safe_dump(content, sort_keys=False)
        target = EXPORT_DIR / stable_names[relative]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8088")
    parser.add_argument("--duckdb-path", type=Path, default=HERE.parent.parent / "warehouse.duckdb")
    parser.add_argument("--username", default="admin")
    args = parser.parse_args(argv)
    api = Superset(args.url, args.username, os.environ.get("SUPERSET_ADMIN_PASSWORD", "admin"))
    dashboard = build(api, args.duckdb_path)
    export(api, dashboard)
    print(f"dashboard {dashboard} exported to {EXPORT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
