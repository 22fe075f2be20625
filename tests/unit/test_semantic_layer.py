"""The semantic layer's YAML (dbt_project/models/semantic/) read as data, without dbt: every
metric rests on a measure or metric that exists, every measure has a metric, and docs/metrics.md
defines every metric (the build's manifest is checked in tests/integration/test_metrics.py)."""

from __future__ import annotations

import re

import yaml

from scripts.project_paths import DBT_PROJECT_DIR, PROJECT_ROOT

SEMANTIC_YAML = DBT_PROJECT_DIR / "models" / "semantic" / "_semantic__models.yml"
TIME_SPINE_FOLDER = DBT_PROJECT_DIR / "models" / "intermediate" / "semantic"


def semantic_layer() -> dict:
    return yaml.safe_load(SEMANTIC_YAML.read_text())


def metric_inputs(metric: dict) -> list[str]:
    params = metric["type_params"]
    if metric["type"] == "simple":
        return [params["measure"]]
    return [
        value["name"] if isinstance(value, dict) else value
        for value in (params["numerator"], params["denominator"])
    ]


def test_every_metric_rests_on_a_measure_or_metric_and_every_measure_is_a_metric():
    layer = semantic_layer()
    measures = {m["name"] for model in layer["semantic_models"] for m in model.get("measures", [])}
    metrics = {metric["name"]: metric for metric in layer["metrics"]}
    for metric in metrics.values():
        known = measures if metric["type"] == "simple" else set(metrics)
        assert set(metric_inputs(metric)) <= known, metric["name"]
    simple = {metric_inputs(m)[0] for m in metrics.values() if m["type"] == "simple"}
    assert simple == measures
    # the list
    assert {
        "revenue",
        "orders",
        "customers",
        "buyers",
        "average_order_value",
        "repeat_rate",
        "predicted_clv",
    } <= set(metrics)


def test_the_time_spine_is_declared():
    properties = yaml.safe_load((TIME_SPINE_FOLDER / "_semantic__time_spine.yml").read_text())
    spine = {model["name"]: model for model in properties["models"]}["metricflow_time_spine"]
    assert spine["time_spine"]["standard_granularity_column"] == "date_day"
    assert (TIME_SPINE_FOLDER / "metricflow_time_spine.sql").is_file()


def test_docs_define_every_metric():
    docs = (PROJECT_ROOT / "docs" / "metrics.md").read_text()
    documented = set(re.findall(r"^\| `(\w+)` \| ", docs, flags=re.MULTILINE))
    assert {metric["name"] for metric in semantic_layer()["metrics"]} <= documented
