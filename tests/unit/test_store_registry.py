"""The stores of the Python registry (scripts/stores) are the stores of the dbt project: one
staging folder with the adapter models each, one row of seed `stores`, one `+enabled` rule in
dbt_project.yml, one row of the stores table in docs/architecture.md; the build's options come
from the registry."""

from __future__ import annotations

import argparse
import csv
import re

import pytest
import yaml

from scripts.input_files import InputFileError
from scripts.project_paths import DBT_PROJECT_DIR, PROJECT_ROOT, SEEDS_DIR
from scripts.stores import STORES
from scripts.stores.generic_orders import GenericOrdersStore, mapping_from_file, mapping_from_text

REGISTERED = sorted(store.name for store in STORES)
STAGING = DBT_PROJECT_DIR / "models" / "staging"
ADAPTER_MODELS = ("order_lines", "product_lines", "line_counts", "customer_attributes")


def test_every_store_has_its_staging_folder_and_nothing_else_does():
    folders = sorted(
        folder.name
        for folder in STAGING.iterdir()
        if (folder / f"stg_{folder.name}__order_lines.sql").exists()
    )
    assert folders == REGISTERED
    for store in REGISTERED:
        for model in ADAPTER_MODELS:
            assert (STAGING / store / f"stg_{store}__{model}.sql").is_file(), (store, model)


def test_the_stores_seed_has_one_row_per_store():
    with open(SEEDS_DIR / "stores.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["store"] for row in rows) == REGISTERED
    assert all(row["adapter_folder"] == f"staging/{row['store']}" for row in rows)


def test_dbt_project_enables_each_store_folder_by_one_rule():
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    staging = project["models"]["segmentation"]["staging"]
    rules = {name: staging[name]["+enabled"] for name in staging if "+enabled" in staging[name]}
    assert sorted(rules) == REGISTERED
    # the same default (no COMMERCE_STORES) in every rule, naming each store
    defaults = {re.sub(r"^\{\{ '\w+' in ", "", rule) for rule in rules.values()}
    assert len(defaults) == 1
    for store, rule in rules.items():
        assert rule.startswith("{{ '" + store + "' in env_var('COMMERCE_STORES'")


def test_the_docs_table_lists_every_store():
    architecture = (PROJECT_ROOT / "docs" / "architecture.md").read_text()
    documented = sorted(re.findall(r"^\| `(\w+)` \| ", architecture, flags=re.MULTILINE))
    assert [name for name in documented if name in REGISTERED] == REGISTERED


def test_the_build_options_come_from_the_registry(monkeypatch):
    # the options' defaults come from the environment (make exports them): none given here
    for variable in (
        "RETAIL_PATH",
        "OLIST_DIR",
        "ORDERS_PATH",
        "ORDERS_COLUMNS_FILE",
        "ORDERS_MAP",
    ):
        monkeypatch.delenv(variable, raising=False)
    parser = argparse.ArgumentParser()
    for store in STORES:
        store.add_options(parser)  # no two stores claim an option
    args = parser.parse_args([])
    assert all(store.given_input(args) is None for store in STORES)


def test_a_column_mapping_from_the_command_line():
    assert mapping_from_text("customer_id=client, ordered_at = Order Date,") == {
        "customer_id": "client",
        "ordered_at": "Order Date",
    }
    for bad in ("customer_id", "=client", "customer_id="):
        with pytest.raises(InputFileError, match="is not field=column"):
            mapping_from_text(bad)


def test_a_column_mapping_from_a_yaml_file(tmp_path):
    good = tmp_path / "columns.yml"
    good.write_text("customer_id: client\nordered_at: 'Order Date'\n")
    assert mapping_from_file(good) == {"customer_id": "client", "ordered_at": "Order Date"}
    for text in ("- customer_id\n- client\n", "customer_id: [a, b]\n", "a: b: c\n"):
        good.write_text(text)
        with pytest.raises(InputFileError, match=str(good)):
            mapping_from_file(good)
    with pytest.raises(InputFileError, match="does not exist"):
        mapping_from_file(tmp_path / "missing.yml")


def test_a_mapping_without_its_file_is_refused(monkeypatch):
    monkeypatch.delenv("ORDERS_PATH", raising=False)
    parser = argparse.ArgumentParser()
    GenericOrdersStore().add_options(parser)
    with pytest.raises(InputFileError, match="--orders-path"):
        GenericOrdersStore().given_input(parser.parse_args(["--map", "customer_id=client"]))


def test_the_commerce_stores_macro_has_dbt_project_yml_default():
    """commerce_stores() (macros/commerce_rules.sql) and dbt_project.yml's folder rules must
    build the same stores when COMMERCE_STORES is not set: the same default, written twice
    because dbt_project.yml cannot call macros."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    rule = project["models"]["segmentation"]["staging"][REGISTERED[0]]["+enabled"]
    project_default = re.search(r"env_var\('COMMERCE_STORES', (.*)\)\.split", rule).group(1)
    macros = (DBT_PROJECT_DIR / "macros" / "commerce_rules.sql").read_text()
    macro_default = re.search(r"\{%- set default = (.*?) -%\}", macros, flags=re.DOTALL).group(1)
    assert " ".join(macro_default.split()) == " ".join(project_default.split())
    for store in REGISTERED:
        assert f"'{store}'" in project_default or f"',{store}'" in project_default, store
