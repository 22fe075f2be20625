"""The command line of scripts/build_warehouse.py: its options (each store's from its adapter,
scripts/stores), with defaults from the environment, and the dbt vars they give."""

from __future__ import annotations

import argparse
import json
import os
from datetime import date

from scripts.input_files import ENCODINGS, InputFileError
from scripts.inputs import add_store_options
from scripts.project_paths import WAREHOUSE_OPTION_HELP
from scripts.shrink_guard import DEFAULT_MAX_ROW_LOSS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Build the warehouse and publish it atomically.")
    add_store_options(parser)
    parser.add_argument(
        "--encoding",
        choices=ENCODINGS,
        default=os.environ.get("RETAIL_ENCODING") or "auto",
        help="text encoding of the CSV inputs (every store's files and the student exports;"
        " default: auto, each file UTF-8 if valid, else cp1252)",
    )
    parser.add_argument(
        "--students-dir",
        default=os.environ.get("STUDENTS_DIR") or None,
        help="folder of the student CRM/LMS exports (default: generated data)",
    )
    parser.add_argument(
        "--duckdb-path",
        default=os.environ.get("DUCKDB_PATH") or None,
        help=WAREHOUSE_OPTION_HELP,
    )
    parser.add_argument("--as-of-date", help="RFM reference date (default: day after last invoice)")
    parser.add_argument("--vars", default="{}", help="extra dbt vars as JSON")
    parser.add_argument(
        "--refit",
        action="store_true",
        default=os.environ.get("REFIT", "") not in ("", "0"),
        help="refit every store's segment model (and rebuild the product side) even when no"
        " refit is due; the stored ids carry over to the segments that persist",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start from an empty warehouse instead of a copy of the published one (with"
        " --engine spark: rebuild the tables carried from earlier Spark builds)",
    )
    parser.add_argument(
        "--allow-shrink",
        action="store_true",
        default=os.environ.get("ALLOW_SHRINK", "") not in ("", "0"),
        help="publish even when the build lost more than --max-row-loss of the raw rows of a"
        " store or file of the published warehouse",
    )
    parser.add_argument(
        "--max-row-loss",
        type=share,
        default=os.environ.get("MAX_ROW_LOSS") or DEFAULT_MAX_ROW_LOSS,
        help="the largest share of a store's or a file's raw rows a build may lose against the"
        f" published warehouse before it is refused (default {DEFAULT_MAX_ROW_LOSS})",
    )
    parser.add_argument(
        "--only",
        choices=["commerce", "students", "retail"],
        help="build only one domain (dbt selector in dbt_project/selectors.yml; `retail` is the"
        " former name of `commerce`); the other domain's tables stay as published",
    )
    parser.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default=os.environ.get("ENGINE") or "duckdb",
        help="duckdb (default): build and publish the DuckDB warehouse; spark: build the commerce"
        " stores on Spark (docs/spark.md)",
    )
    parser.add_argument(
        "--spark-method",
        choices=["session", "thrift"],
        default=os.environ.get("SPARK_METHOD") or "session",
        help="with --engine spark: a local Spark in the build's process (session, default) or an"
        " existing Spark Thrift server at SPARK_HOST:SPARK_PORT (thrift)",
    )
    parser.add_argument(
        "--spark-warehouse-dir",
        default=os.environ.get("SPARK_WAREHOUSE_DIR") or None,
        help="with --engine spark: the folder of the ingested input, the local Spark tables and"
        " metastore (default: spark-warehouse/)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only dbt's failures")
    parser.add_argument(
        "--summary-json",
        help="also write the build's summary (lines by reason, customers, segments, students) as"
        " JSON to this file, for programs",
    )
    return parser


def parse_vars(text: str, as_of_date: str | None) -> dict:
    """The dbt vars of the build: --vars (a JSON object) and --as-of-date (an ISO date)."""
    try:
        extra_vars = json.loads(text)
    except ValueError as exc:
        raise InputFileError(f"--vars: not valid JSON ({exc})") from None
    if not isinstance(extra_vars, dict):
        raise InputFileError('--vars: expected a JSON object such as {"segment_k": 4}')
    if as_of_date is not None:
        extra_vars["as_of_date"] = as_of_date
    if extra_vars.get("as_of_date") is not None:
        try:
            date.fromisoformat(str(extra_vars["as_of_date"]))
        except ValueError:
            raise InputFileError(
                f"as_of_date: {extra_vars['as_of_date']!r} is not a date (expected YYYY-MM-DD)"
            ) from None
    return extra_vars


def share(text: str) -> float:
    """A share from 0 to 1 given on the command line."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share from 0 to 1 (e.g. 0.2)")
    return value
