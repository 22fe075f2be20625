"""Versions of the libraries a segmentation run depends on, recorded with every run."""

from __future__ import annotations

import platform
from importlib import metadata

LIBRARIES: dict[str, str] = {
    "numpy_version": "numpy",
    "pandas_version": "pandas",
    "scikit_learn_version": "scikit-learn",
    "kneed_version": "kneed",
    "duckdb_version": "duckdb",
    "dbt_core_version": "dbt-core",
    "dbt_duckdb_version": "dbt-duckdb",
}


def library_versions() -> dict[str, str]:
    """Column name -> installed version ('not installed' when absent), plus Python's own."""
    versions = {"python_version": platform.python_version()}
    for column, distribution in LIBRARIES.items():
        try:
            versions[column] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            versions[column] = "not installed"
    return versions
