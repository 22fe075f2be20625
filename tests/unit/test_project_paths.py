"""scripts.project_paths: the one place that knows where the project and the published warehouse
are, whatever the working folder."""

from __future__ import annotations

import re
from pathlib import Path

from scripts import project_paths
from scripts.project_paths import DEFAULT_WAREHOUSE, PROJECT_ROOT, published_warehouse

CODE_FOLDERS = ["scripts", "apps", "bench", "models_py", "tests"]


def test_the_default_is_the_projects_file_whatever_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DUCKDB_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    assert published_warehouse() == DEFAULT_WAREHOUSE == PROJECT_ROOT / "warehouse.duckdb"
    assert (PROJECT_ROOT / "dbt_project" / "dbt_project.yml").is_file()


def test_an_option_wins_over_the_environment_which_wins_over_the_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DUCKDB_PATH", "from_env.duckdb")
    assert published_warehouse() == tmp_path / "from_env.duckdb"
    assert published_warehouse("given.duckdb") == tmp_path / "given.duckdb"
    monkeypatch.setenv("DUCKDB_PATH", "")
    assert published_warehouse() == DEFAULT_WAREHOUSE
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert published_warehouse("~/w.duckdb") == tmp_path / "home" / "w.duckdb"


def test_no_other_module_works_out_where_the_project_is():
    """The project root comes from Path(__file__) in one module; every other entry point, the
    API, the dashboard, the benchmarks and the tests import it."""
    own = {Path(project_paths.__file__).resolve(), Path(__file__).resolve()}
    finding_the_root = re.compile(r"Path\(__file__\)|^\s*\w*ROOT\s*=|ROOT / \"warehouse\.duckdb\"")
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for folder in CODE_FOLDERS
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if path.resolve() not in own
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if finding_the_root.search(line)
    ]
    assert offenders == []
