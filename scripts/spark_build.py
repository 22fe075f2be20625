"""The same dbt project on Spark (`make run ENGINE=spark`, `build_warehouse.py --engine spark`).

1. Ingest: the raw retail file is read once by DuckDB's reader, through the project's own
   ingestion models on a scratch DuckDB file (the same fixed dialect, layouts and rejects as a
   DuckDB build), and written as Parquet with each line's number in the file
   (macros/spark_ingest.sql). Spark never parses the CSV, so both engines start from the same
   lines and the reconciliation stays exact.
2. Build: selector `spark` on the `spark` target (a local Spark inside dbt's process) or
   `spark_thrift` (an existing Spark Thrift server, SPARK_HOST / SPARK_PORT): the seeds, then the
   SQL models and the dbt Python models (segmentation, product categories, interests), which
   dbt-spark cannot run, in rounds (scripts/spark_python_models.py), then every test of the
   selection.
3. Summary: read from the Spark tables' Parquet files when they are on this machine.

Everything lives under the Spark warehouse folder (SPARK_WAREHOUSE_DIR, default spark-warehouse/
in the project root): ingest/, tables/ (one folder per schema), the metastore and dbt's target/.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from scripts.build_folder import build_lock
from scripts.build_summary import read_summary_from
from scripts.dbt_runner import (
    BuildError,
    run_dbt,
    run_dbt_in_process,
)
from scripts.input_files import InputFileError
from scripts.inputs import Inputs, commerce_environment
from scripts.project_paths import DBT_PROJECT_DIR, PROJECT_ROOT
from scripts.spark_python_models import Node, rounds, run_model, write_table
from scripts.stores import STORES, store_named

DEFAULT_WAREHOUSE_DIR = PROJECT_ROOT / "spark-warehouse"
# dbt selector (dbt_project/selectors.yml) of what the Spark target builds
SPARK_SELECTOR = "spark"
TARGETS = {"session": "spark", "thrift": "spark_thrift"}
# The schemas the project writes (macros/generate_schema_name.sql): Spark databases, stored as
# <schema>.db folders under tables/
SCHEMAS = ("seeds", "staging", "intermediate", "marts")


def ingest(inputs: dict, stores: list[str], warehouse_dir: Path, quiet: bool) -> Path:
    """Write the reader's output for each store's raw input as Parquet; return the folder."""
    ingest_dir = warehouse_dir / "ingest"
    scratch = warehouse_dir / "ingest.duckdb"
    scratch.unlink(missing_ok=True)
    shutil.rmtree(ingest_dir, ignore_errors=True)
    ingest_dir.mkdir(parents=True)
    adapters = [store_named(store) for store in stores]
    files = {name: source for store in adapters for name, source in store.spark_ingested.items()}
    with_parents = {
        model
        for store in adapters
        if store.spark_ingest_with_parents
        for model, _ in store.spark_ingested.values()
    }
    duckdb_dbt = {"DBT_DUCKDB_PATH": str(scratch)}
    target_dir = warehouse_dir / "target-ingest"
    try:
        models = [("+" if model in with_parents else "") + model for model, _ in files.values()]
        run_dbt(
            ["run", "--target", "dev", "--select", *models], duckdb_dbt, inputs, target_dir, quiet
        )
        with duckdb.connect(str(scratch)) as con:
            for name, (model, columns) in files.items():
                target = str(ingest_dir / f"{name}.parquet").replace("'", "''")
                con.execute(
                    f"copy (select {columns} from staging.{model}) to '{target}' (format parquet)"
                )
        for operation in [store.spark_export_operation for store in adapters]:
            if not operation:
                continue
            run_dbt(
                [
                    "run-operation",
                    operation,
                    "--target",
                    "dev",
                    "--args",
                    json.dumps({"folder": str(ingest_dir)}),
                ],
                duckdb_dbt,
                inputs,
                target_dir,
                quiet,
            )
    finally:
        scratch.unlink(missing_ok=True)
    return ingest_dir


def spark_settings(warehouse_dir: Path, ingest_dir: Path, stores: list[str]) -> dict:
    """The environment the profile's Spark targets and the ingestion macros read."""
    settings = {"SPARK_WAREHOUSE_DIR": str(warehouse_dir), "SPARK_INGEST_DIR": str(ingest_dir)}
    for store in stores:
        settings.update(store_named(store).spark_settings(ingest_dir))
    return settings


@dataclass(frozen=True)
class SparkDbt:
    """dbt commands on one Spark target, with the build's vars, inputs and settings, run in this
    process so that a local Spark starts once for the whole build."""

    target: str
    dbt_vars: dict
    settings: dict
    inputs: dict
    warehouse_dir: Path
    quiet: bool
    # --fresh: the tables carried from earlier builds (model store, history, customer status)
    # start over, as a DuckDB build's empty warehouse does
    full_refresh: bool = False

    def __call__(self, command: str, *arguments: str, silent: bool = False):
        options = ["--target", self.target]
        if self.full_refresh and command in ("run", "seed"):
            options.append("--full-refresh")
        if self.dbt_vars:
            options += ["--vars", json.dumps(self.dbt_vars)]
        return run_dbt_in_process(
            [command, *options, *arguments],
            self.settings,
            self.inputs,
            self.warehouse_dir / "target",
            self.quiet,
            silent,
        )

    def nodes(self) -> list[Node]:
        """The models and seeds of the Spark selection, with their parents (`dbt ls`)."""
        listed = self(
            "ls",
            "--selector",
            SPARK_SELECTOR,
            "--resource-type",
            "model",
            "--resource-type",
            "seed",
            "--output",
            "json",
            "--output-keys",
            "unique_id name schema original_file_path depends_on config",
            silent=True,
        )
        items = [json.loads(line) for line in listed if line.startswith("{")]
        return [
            Node(
                item["unique_id"],
                item["name"],
                item["schema"],
                item["original_file_path"],
                tuple(item.get("depends_on", {}).get("nodes", [])),
                item.get("config", {}),
            )
            for item in items
        ]


def build_in_rounds(dbt: SparkDbt, tables_dir: Path) -> dict[str, float]:
    """Seeds; then SQL models and the Python models they feed, in rounds
    (scripts/spark_python_models.py); then every test of the selection. Returns the seconds
    each step took."""
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] = round(seconds.get(step, 0) + now - clock, 1)
        clock = now

    nodes = dbt.nodes()
    seeds = [node.name for node in nodes if node.unique_id.startswith("seed.")]
    if seeds:
        dbt("seed", "--select", *seeds)
    lap("start_and_seeds")
    models = [node for node in nodes if node.unique_id.startswith("model.")]
    schemas = {node.name: node.schema for node in nodes}
    for sql_models, python_models in rounds(models):
        if sql_models:
            dbt("run", "--select", *(node.name for node in sql_models))
            lap("sql_models")
        if python_models:
            registered = []
            with duckdb.connect() as con:
                attach_spark_tables(con, tables_dir)
                for node in python_models:
                    frame = run_model(
                        Path(node.path), table_reader(con, schemas), DBT_PROJECT_DIR, node.config
                    )
                    folder = tables_dir / f"{node.schema}.db" / node.name
                    write_table(frame, folder)
                    registered.append([node.schema, node.name, str(folder)])
                    attach_spark_tables(con, tables_dir)  # a later model may read this one
            lap("python_models")
            dbt(
                "run-operation",
                "register_parquet_tables",
                "--args",
                json.dumps({"tables": registered}),
            )
            lap("sql_models")
    dbt("test", "--selector", SPARK_SELECTOR)
    lap("tests")
    return seconds


def table_reader(con: duckdb.DuckDBPyConnection, schemas: dict[str, str]):
    """dbt.ref(name).filter(where).df() for the Python models: the table's rows (those meeting
    the SQL condition `where`, when given) as a pandas frame."""

    def read(name: str, where: str | None = None):
        condition = f" where {where}" if where else ""
        return con.execute(f'select * from {schemas[name]}."{name}"{condition}').df()

    return read


def attach_spark_tables(con: duckdb.DuckDBPyConnection, tables_dir: Path) -> list[str]:
    """Views in `con` over the Spark tables stored under tables_dir (<schema>.db/<table>/),
    named schema.table as in the warehouse; returns the names."""
    names = []
    for schema in SCHEMAS:
        for table_dir in sorted((tables_dir / f"{schema}.db").glob("*/")):
            files = [path for path in table_dir.rglob("*.parquet") if path.is_file()]
            if not files:
                continue
            con.execute(f"create schema if not exists {schema}")
            pattern = str(table_dir / "**" / "*.parquet").replace("'", "''")
            con.execute(
                f'create or replace view {schema}."{table_dir.name}" as'
                f" select * from read_parquet('{pattern}')"
            )
            names.append(f"{schema}.{table_dir.name}")
    return names


def build_on_spark(
    inputs: Inputs,
    warehouse_dir: Path,
    extra_vars: dict,
    quiet: bool,
    method: str = "session",
    encoding: str = "auto",
    fresh: bool = False,
) -> dict:
    """Ingest the stores' raw inputs, build the Spark selection, and summarise what it holds."""
    if (
        importlib.util.find_spec("pyspark") is None
        or importlib.util.find_spec("dbt.adapters.spark") is None
    ):
        raise BuildError(
            "the spark extra is not installed (make setup-spark, or pip install -e '.[spark]')"
        )
    if shutil.which("java") is None:
        raise BuildError(
            "Spark needs Java 17 (`make run ENGINE=spark` installs openjdk-17-jre-headless)"
        )
    not_ingested = [store for store in inputs.stores if not store_named(store).spark_ingested]
    if not_ingested:
        on_spark = [store.name for store in STORES if store.spark_ingested]
        raise InputFileError(
            f"store {', '.join(not_ingested)} is built on DuckDB only (--engine duckdb); Spark"
            f" builds store {', '.join(on_spark)}"
        )
    warehouse_dir = warehouse_dir.expanduser().resolve()
    with build_lock(warehouse_dir):
        environment, note = commerce_environment(inputs, encoding, warehouse_dir)
        started = time.perf_counter()
        ingest_dir = ingest(environment, inputs.stores, warehouse_dir, quiet)
        ingested = time.perf_counter()
        dbt = SparkDbt(
            TARGETS[method],
            extra_vars,
            spark_settings(warehouse_dir, ingest_dir, inputs.stores),
            environment,
            warehouse_dir,
            quiet,
            fresh,
        )
        steps = build_in_rounds(dbt, warehouse_dir / "tables")
        built = time.perf_counter()
    summary = {
        "engine": f"spark ({method})",
        "warehouse": str(warehouse_dir),
        "seconds": {
            "ingest": round(ingested - started, 1),
            "dbt_build": round(built - ingested, 1),
            **steps,
        },
    }
    tables_dir = warehouse_dir / "tables"
    if tables_dir.is_dir():
        with duckdb.connect() as con:
            attach_spark_tables(con, tables_dir)
            summary.update(read_summary_from(con))
    if note:
        summary["notes"] = [note]
    return summary
