"""Check a folder of Olist marketplace exports before the build, so that bad input fails fast with
one line naming the file and the problem.

The dbt sources read each file themselves as `<folder>/<name>.csv*`; this check only makes sure
they can: every required file is there once (as .csv or .csv.gz, not both), has a header row with
every column the project reads (extra columns are fine, order does not matter) and at least one
data row; an optional file may be absent, but when present it must be readable in the same way.
"""

from __future__ import annotations

from pathlib import Path

from scripts.retail_input import InputFileError, csv_header

# file -> (required, columns the project reads)
OLIST_FILES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "olist_orders_dataset": (
        True,
        (
            "order_id",
            "customer_id",
            "order_status",
            "order_purchase_timestamp",
            "order_approved_at",
            "order_delivered_carrier_date",
            "order_delivered_customer_date",
            "order_estimated_delivery_date",
        ),
    ),
    "olist_customers_dataset": (
        True,
        (
            "customer_id",
            "customer_unique_id",
            "customer_zip_code_prefix",
            "customer_city",
            "customer_state",
        ),
    ),
    "olist_order_items_dataset": (
        True,
        (
            "order_id",
            "order_item_id",
            "product_id",
            "seller_id",
            "shipping_limit_date",
            "price",
            "freight_value",
        ),
    ),
    "olist_order_payments_dataset": (
        True,
        ("order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"),
    ),
    "olist_products_dataset": (True, ("product_id", "product_category_name")),
    "product_category_name_translation": (
        True,
        ("product_category_name", "product_category_name_english"),
    ),
    "olist_order_reviews_dataset": (False, ("review_id", "order_id", "review_score")),
    "olist_sellers_dataset": (
        False,
        ("seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"),
    ),
    "olist_geolocation_dataset": (
        False,
        (
            "geolocation_zip_code_prefix",
            "geolocation_lat",
            "geolocation_lng",
            "geolocation_city",
            "geolocation_state",
        ),
    ),
}


def _find(folder: Path, name: str) -> Path | None:
    """The file `name`.csv or `name`.csv.gz in folder; an error when both are there."""
    found = [folder / f"{name}{suffix}" for suffix in (".csv", ".csv.gz")]
    found = [path for path in found if path.is_file()]
    if len(found) > 1:
        raise InputFileError(
            f"{folder}: both {name}.csv and {name}.csv.gz are there; keep one (both would be read)"
        )
    return found[0] if found else None


def check_olist_dir(path: str | Path) -> Path:
    """Return the absolute path of a usable folder of Olist exports, or raise InputFileError."""
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        raise InputFileError(f"{folder}: Olist data folder does not exist")
    for name, (required, columns) in OLIST_FILES.items():
        file_path = _find(folder, name)
        if file_path is None:
            if required:
                raise InputFileError(
                    f"{folder / (name + '.csv')}: file does not exist (expected {name}.csv or"
                    f" {name}.csv.gz in the Olist data folder)"
                )
            continue
        present = csv_header(file_path, "data rows")
        missing = [column for column in columns if column not in present]
        if missing:
            raise InputFileError(
                f"{file_path}: missing column {', '.join(missing)} "
                f"(required: {', '.join(columns)}; found: {', '.join(present)})"
            )
    return folder
