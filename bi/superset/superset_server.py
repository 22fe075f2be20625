"""Set up and start the project's Superset on 127.0.0.1, read-only on the published warehouse.

    .venv-superset/bin/python bi/superset/superset_server.py [--duckdb-path FILE] [--port 8088]
        [--home .superset] [--setup-only]

Run with Superset's own virtual environment (make superset-setup makes it). In --home (created
here, git-ignored) it keeps Superset's metadata database and secret key; it upgrades that
database, creates the admin user, imports the dashboard shipped in bi/superset/dashboard/ with its
database connection pointed at the warehouse file (opened read-only: access_mode=read_only), then
runs gunicorn on 127.0.0.1. Standard library only: Superset is driven through its own CLI.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
from scripts.project_paths import WAREHOUSE_OPTION_HELP, published_warehouse  # noqa: E402

EXPORT_DIR = HERE / "dashboard"
# the database's YAML in the export carries this placeholder instead of a machine's path
URI_PLACEHOLDER = "duckdb:///WAREHOUSE_PATH"
ADMIN_USER = "admin"


def warehouse_uri(path: Path) -> str:
    """SQLAlchemy URI of the warehouse file opened read-only (duckdb-engine passes the query
    parameters on as DuckDB settings)."""
    return f"duckdb:///{quote(str(path.resolve()))}?access_mode=read_only"


def superset_env(home: Path) -> dict[str, str]:
    return dict(
        os.environ,
        SUPERSET_HOME=str(home),
        SUPERSET_CONFIG_PATH=str(HERE / "superset_config.py"),
        FLASK_APP="superset.app:create_app()",
        PYTHONWARNINGS="ignore",
    )


def superset(home: Path, *args: str) -> subprocess.CompletedProcess:
    """One `superset` CLI command of this virtual environment; its output on failure."""
    command = [str(Path(sys.executable).parent / "superset"), *args]
    result = subprocess.run(
        command, env=superset_env(home), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"error: superset {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result


def dashboard_zip(duckdb_path: Path, out: Path) -> Path:
    """The shipped export zipped as Superset imports it, its database pointed at duckdb_path."""
    uri = warehouse_uri(duckdb_path)
    with zipfile.ZipFile(out, "w") as archive:
        for file in sorted(EXPORT_DIR.rglob("*.yaml")):
            text = file.read_text()
            if file.parent.name == "databases":
                text = text.replace(URI_PLACEHOLDER, uri)
            archive.writestr(f"dashboard_export/{file.relative_to(EXPORT_DIR)}", text)
    return out


def set_up(home: Path, duckdb_path: Path, password: str) -> None:
    """Metadata database, roles, the admin user and the dashboard: idempotent."""
    home.mkdir(parents=True, exist_ok=True)
    key = home / "secret_key"
    if not key.exists():
        key.write_text(secrets.token_urlsafe(42))
        key.chmod(0o600)
    superset(home, "db", "upgrade")
    superset(
        home,
        "fab",
        "create-admin",
        "--username",
        ADMIN_USER,
        "--firstname",
        "Admin",
        "--lastname",
        "User",
        "--email",
        "admin@localhost",
        "--password",
        password,
    )
    superset(home, "init")
    if not (EXPORT_DIR / "metadata.yaml").exists():  # bootstrapping build_export.py
        return
    with tempfile.TemporaryDirectory() as folder:
        archive = dashboard_zip(duckdb_path, Path(folder) / "dashboard.zip")
        superset(home, "import-dashboards", "--path", str(archive), "--username", ADMIN_USER)


def serve(home: Path, port: int) -> None:
    """Replace this process with gunicorn on 127.0.0.1:port (one worker, a few threads)."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    args = [
        gunicorn,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "8",
        "--timeout",
        "120",
        "--limit-request-line",
        "0",
        "--limit-request-field_size",
        "0",
        "--no-control-socket",  # gunicorn would make one in ~/.gunicorn/
        "superset.app:create_app()",
    ]
    os.execve(gunicorn, args, superset_env(home))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duckdb-path", type=Path, help=WAREHOUSE_OPTION_HELP)
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--home", type=Path, default=PROJECT_ROOT / ".superset")
    parser.add_argument("--setup-only", action="store_true", help="set up, do not serve")
    args = parser.parse_args(argv)
    duckdb_path = published_warehouse(args.duckdb_path)
    if not duckdb_path.exists():
        print(f"error: {duckdb_path}: no published warehouse (make run first)", file=sys.stderr)
        return 2
    home = args.home.expanduser().resolve()
    password = os.environ.get("SUPERSET_ADMIN_PASSWORD", "admin")
    started = time.monotonic()
    set_up(home, duckdb_path, password)
    print(f"superset set up in {time.monotonic() - started:.0f} s ({home})", flush=True)
    if args.setup_only:
        return 0
    print(
        f"superset on http://127.0.0.1:{args.port} (user {ADMIN_USER}), read-only on {duckdb_path}",
        flush=True,
    )
    serve(home, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
