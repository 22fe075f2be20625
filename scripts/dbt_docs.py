"""Generate the dbt docs site from the published warehouse and optionally serve it on 127.0.0.1.

    python scripts/dbt_docs.py [--duckdb-path FILE] [--target-path DIR] [--serve --port 8080]

`dbt docs generate` opens its database read-write, which the published warehouse must never be
(readers hold it read-only), so it runs against a private copy in a temporary folder. The site
(index.html, manifest.json, catalog.json) is written to DIR (default dbt_project/target) and
served by a plain static file server; compiled analyses land in DIR/compiled/.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from scripts.project_paths import (
    DBT_PROJECT_DIR,
    GENERATED_DIR,
    PROJECT_ROOT,
    WAREHOUSE_OPTION_HELP,
    published_warehouse,
)
from scripts.stores import FIRST_STORE, STORES

# dbt var -> (the environment variable giving it, the project's generated input): the inputs
# plain dbt builds (the first store and the students; dbt_project.yml)
DEFAULT_INPUTS = {
    store.input_var: (store.input_variable, store.generated_input)
    for store in STORES
    if store.name == FIRST_STORE
} | {"students_dir": ("STUDENTS_DIR", GENERATED_DIR / "students")}

log = logging.getLogger(__name__)


class DocsError(RuntimeError):
    """dbt docs generate failed."""


def input_vars() -> tuple[dict[str, str], list[str]]:
    """dbt vars for the raw inputs that exist (compiling reads their headers), and those missing."""
    found, missing = {}, []
    for var, (env, default) in DEFAULT_INPUTS.items():
        path = Path(os.environ.get(env) or default).expanduser().resolve()
        if path.exists():
            found[var] = str(path)
        else:
            missing.append(f"{env}={path}")
    return found, missing


def generate(warehouse: Path, target_path: Path) -> Path:
    """Run `dbt docs generate` on a copy of warehouse; return the folder holding the site."""
    from dbt.cli.main import dbtRunner

    if not warehouse.exists():
        raise DocsError(f"{warehouse}: warehouse not found; build it first (make run)")
    target_path = target_path.resolve()
    with tempfile.TemporaryDirectory(prefix=".docs-", dir=warehouse.parent) as scratch:
        copy = Path(scratch) / warehouse.name  # same name: DuckDB names the catalog after it
        shutil.copy2(warehouse, copy)
        os.environ["DBT_DUCKDB_PATH"] = str(copy)
        args = [
            "docs",
            "generate",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(target_path),
            "--log-path",
            str(Path(scratch) / "logs"),
            "--quiet",
        ]
        found, missing = input_vars()
        args += ["--vars", json.dumps(found)]
        if missing:
            # Compiling models reads the raw files' headers; without them, document what is built.
            log.warning("raw input not found (%s): docs without compiled SQL", ", ".join(missing))
            args.append("--no-compile")
        result = dbtRunner().invoke(args)
        os.environ.pop("DBT_DUCKDB_PATH", None)
    if not result.success:
        raise DocsError(f"dbt docs generate failed: {result.exception or 'see the output above'}")
    return target_path


def serve(site: Path, port: int) -> None:
    """Serve the site folder on 127.0.0.1 until interrupted."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"dbt docs: http://127.0.0.1:{port}/ (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duckdb-path",
        default=None,
        help=WAREHOUSE_OPTION_HELP,
    )
    parser.add_argument("--target-path", default=str(DBT_PROJECT_DIR / "target"))
    parser.add_argument("--serve", action="store_true", help="serve the site after generating it")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DOCS_PORT", "8080")))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        site = generate(published_warehouse(args.duckdb_path), Path(args.target_path))
    except DocsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"dbt docs generated in {site}")
    if args.serve:
        serve(site, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
