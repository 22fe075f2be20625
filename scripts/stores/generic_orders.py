"""Store generic_orders: any shop's own export of order lines, one CSV, gzipped CSV or Parquet
file, with its columns mapped onto the store's fields.

The fields (order_id, customer_id, ordered_at, product_id, quantity, line_amount or unit_price,
and the optional product_name, category, country, status) are declared once, in the dbt source
of the store (dbt_project/models/staging/generic_orders/_generic_orders__sources.yml); a field
whose column has the field's own name needs no mapping. The mapping is a YAML file
(--orders-columns: `customer_id: client`) and/or --map field=column,... (which wins); it reaches
dbt as ORDERS_COLUMNS (JSON). What the mapping must satisfy against the file (known fields, every
required field found, columns that exist, one field per column) is checked by the staging model
that reads the file, so that plain `dbt build` checks it too; a refusal is one line naming the
file, the field and the rule. There is no generated input: the store is built from a file given.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from scripts.input_files import InputFileError, checked_table_file, present_file, utf8_file
from scripts.project_paths import DBT_PROJECT_DIR
from scripts.stores.adapter import StoreAdapter


@dataclass(frozen=True)
class OrdersInput:
    path: Path
    columns: dict[str, str]  # field -> the file's column, as given (the rest by their own names)


def mapping_from_text(text: str) -> dict[str, str]:
    """`field=column,field=column` as a mapping; InputFileError naming the bad entry."""
    mapping = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        field, equals, column = entry.partition("=")
        if not equals or not field.strip() or not column.strip():
            raise InputFileError(f"--map: {entry!r} is not field=column (e.g. customer_id=client)")
        mapping[field.strip()] = column.strip()
    return mapping


def mapping_from_file(path: str | Path) -> dict[str, str]:
    """A YAML file of `field: column` lines as a mapping; InputFileError when it is not one."""
    path = Path(path).expanduser().absolute()
    if not present_file(path):
        raise InputFileError(f"{path}: file does not exist (the column mapping of --orders-path)")
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: not a YAML file ({' '.join(str(exc).split())})") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(field, str) and isinstance(column, str) for field, column in mapping.items()
    ):
        raise InputFileError(
            f"{path}: expected lines of `field: column` (e.g. customer_id: client)"
        )
    return mapping


class GenericOrdersStore(StoreAdapter):
    name = "generic_orders"
    input_variable = "ORDERS_PATH"
    input_var = "orders_path"
    text_customer_keys = True

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--orders-path",
            default=os.environ.get("ORDERS_PATH") or None,
            help="your shop's export of order lines (CSV, gzipped CSV or Parquet), store"
            " generic_orders (docs/inputs.md)",
        )
        parser.add_argument(
            "--orders-columns",
            default=os.environ.get("ORDERS_COLUMNS_FILE") or None,
            help="YAML file mapping the store's fields to the columns of --orders-path"
            " (`customer_id: client`); a field named like its column needs no line",
        )
        parser.add_argument(
            "--map",
            default=os.environ.get("ORDERS_MAP") or "",
            help="field=column,... for --orders-path, over --orders-columns"
            " (e.g. customer_id=client,ordered_at=created)",
        )

    def given_input(self, args: argparse.Namespace) -> OrdersInput | None:
        if not args.orders_path:
            if args.orders_columns or args.map:
                raise InputFileError("--orders-columns/--map: give the file with --orders-path")
            return None
        path, _ = checked_table_file(args.orders_path, "order lines")
        columns = mapping_from_file(args.orders_columns) if args.orders_columns else {}
        columns.update(mapping_from_text(args.map))
        return OrdersInput(path, columns)

    def sample_environment(self) -> dict:
        sample = DBT_PROJECT_DIR / "sample_data" / "generic_orders"
        return {
            self.input_variable: str((sample / "orders.csv.gz").relative_to(DBT_PROJECT_DIR)),
            "ORDERS_COLUMNS": json.dumps(mapping_from_file(sample / "orders_columns.yml")),
        }

    def dbt_environment(
        self, checked: OrdersInput, encoding: str, build_dir: Path
    ) -> tuple[dict, list]:
        path, note = utf8_file(checked.path, encoding, build_dir / "input" / "orders_utf8.csv")
        environment = {
            self.input_variable: str(path),
            "ORDERS_COLUMNS": json.dumps(checked.columns),
        }
        return environment, [note] if note else []

    def given_path(self, checked) -> Path:
        return checked.path

    def raw_line_files(self, checked: OrdersInput) -> list[Path]:
        return [checked.path]
