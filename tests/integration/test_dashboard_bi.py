"""The BI surface: the dbt docs site builds with the exposures, and the analyst queries compile and run."""

from __future__ import annotations

import json
import os

import pytest
from support import PROJECT_ROOT, run_script

ANALYSES = sorted((PROJECT_ROOT / "dbt_project" / "analyses").glob("*.sql"))
EXPOSURES = {"segment_dashboard", "scoring_api", "parquet_export"}
# read marts.segment_migrations, empty until a store's second run: run on a rebuilt warehouse
NEEDS_TWO_RUNS = {"segment_migrations_last_two_runs", "segment_migrations_between_runs"}


@pytest.fixture(scope="module")
def docs_site(generated_warehouse, tmp_path_factory):
    target = tmp_path_factory.mktemp("dbt_docs") / "target"
    env = dict(os.environ, RETAIL_PATH=str(generated_warehouse.retail_path))
    result = run_script(
        "dbt_docs.py",
        "--duckdb-path",
        str(generated_warehouse.path),
        "--target-path",
        str(target),
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def test_docs_site_has_the_marts_and_the_exposures(docs_site):
    assert (docs_site / "index.html").exists()
    manifest = json.loads((docs_site / "manifest.json").read_text())
    catalog = json.loads((docs_site / "catalog.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == EXPOSURES
    dashboard_models = set(exposures["segment_dashboard"]["depends_on"]["nodes"])
    assert "model.segmentation.customer_segments" in dashboard_models
    documented = {n["metadata"]["name"] for n in catalog["nodes"].values()}
    for node in dashboard_models:
        assert node.rsplit(".", 1)[1] in documented
    # every public mart has an enforced contract and a description for the model and each column
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    ]
    assert len(marts) >= 10
    for node in marts:
        assert node["description"], node["name"]
        assert node["config"]["contract"]["enforced"], f"{node['name']}: no enforced contract"
        undocumented = [c for c, column in node["columns"].items() if not column["description"]]
        assert not undocumented, f"{node['name']}: {undocumented}"
        assert node["name"] in documented


def test_analyses_are_documented_and_listed(docs_site):
    assert len(ANALYSES) >= 5
    for path in ANALYSES:
        assert path.read_text().startswith("-- "), (
            f"{path.name}: first line should say what it answers"
        )


@pytest.mark.parametrize("analysis", [p.stem for p in ANALYSES])
def test_analysis_compiles_and_runs_on_the_warehouse(
    request, docs_site, generated_warehouse, analysis
):
    compiled = next(docs_site.glob(f"compiled/**/analyses/{analysis}.sql"))
    sql = compiled.read_text()
    assert "{{" not in sql
    warehouse = (
        request.getfixturevalue("rebuilt_generated_warehouse")
        if analysis in NEEDS_TWO_RUNS
        else generated_warehouse
    )
    with warehouse.connect() as con:
        frame = con.execute(sql).df()
    assert len(frame.columns) > 1
    if analysis != "win_back_list":  # may be empty on small data
        assert len(frame) > 0
