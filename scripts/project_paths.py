"""Where things are: the project, its folders, and the published warehouse. The one place every
entry point, the API, the dashboard, the benchmarks and the tests ask, so that a reader and the
build never disagree on which file is published (no dependencies: the readers import it too)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = PROJECT_ROOT / "seeds"
# the project's own synthetic inputs (make run without input options)
GENERATED_DIR = PROJECT_ROOT / "data" / "generated"
# the real data beside a checkout (tests, benchmarks, the generated stores' sources)
SHARED_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse.duckdb"
# the help of every --duckdb-path / --warehouse option
WAREHOUSE_OPTION_HELP = (
    "published warehouse file (default: $DUCKDB_PATH, else warehouse.duckdb in the project root)"
)


def published_warehouse(given: str | os.PathLike | None = None) -> Path:
    """The published warehouse file: `given` (a command-line option), else $DUCKDB_PATH, else
    warehouse.duckdb in the project root, whatever the working folder; ~ expanded, absolute."""
    chosen = given or os.environ.get("DUCKDB_PATH") or DEFAULT_WAREHOUSE
    return Path(chosen).expanduser().resolve()
