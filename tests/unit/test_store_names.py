"""A store's name is written only where the store is defined: its adapter (scripts/stores/<store>*),
its dbt folders (any folder named after it: staging/<store>/, macros/stores/<store>/, ...), its
sample data, its seed rows and the docs. The rest of the project reaches a store through the
registry (scripts/stores STORES) or dbt's commerce_stores(), so adding a store touches no shared
code (docs/architecture.md, "Adding a store")."""

from __future__ import annotations

import re
from pathlib import Path

from scripts.project_paths import PROJECT_ROOT
from scripts.stores import STORES

# The code scanned: every file of these folders and the top-level files below.
SCANNED_FOLDERS = ("apps", "scripts", "models_py", "dbt_project", "seeds", ".ci")
SCANNED_TOP_FILES = ("Makefile", "pyproject.toml", "profiles.yml", ".pre-commit-config.yaml")
# Never scanned: dbt's build output and the docs. A dbt property file (`_<name>.yml`) is the
# dbt docs of its models: its descriptions may name a store as an example.
SKIPPED_FOLDERS = {"target", "logs", "dbt_packages", "__pycache__"}
# The registries, which name every store by design and are checked against each other by
# tests/unit/test_store_registry.py: the Python registry, and the two places dbt must know the
# stores while it parses, before any seed or Python runs (dbt_project.yml cannot call macros).
REGISTRIES = {
    Path("scripts/stores/__init__.py"),
    Path("dbt_project/dbt_project.yml"),
    Path("dbt_project/macros/commerce_rules.sql"),
}
# The user's option names (an adapter's input_variable, e.g. in the Makefile's list of inputs)
# are not the store's name.
OPTION_NAMES = re.compile("|".join(re.escape(store.input_variable) for store in STORES))


def name_pattern(name: str) -> re.Pattern:
    return re.compile(rf"(?<![a-z]){re.escape(name)}(?![a-z])", re.IGNORECASE)


def belongs_to(path: Path, store: str) -> bool:
    """Whether the file is the store's own: under a folder named after it, or named after it."""
    return store in path.parts[:-1] or path.name.lower().startswith(store)


def scanned_files() -> list[Path]:
    files = [PROJECT_ROOT / name for name in SCANNED_TOP_FILES]
    for folder in SCANNED_FOLDERS:
        for path in (PROJECT_ROOT / folder).rglob("*"):
            relative = path.relative_to(PROJECT_ROOT)
            if path.is_file() and not SKIPPED_FOLDERS.intersection(relative.parts):
                files.append(path)
    return [
        path
        for path in files
        if path.is_file()
        and path.suffix not in {".md", ".gz", ".parquet", ".pyc", ".png"}
        and not (path.suffix == ".yml" and path.name.startswith("_"))
        and not (path.parts[-2] == "seeds" and path.suffix == ".csv")  # seed rows
    ]


def test_store_names_are_written_only_where_the_store_is_defined():
    patterns = {store.name: name_pattern(store.name) for store in STORES}
    found = []
    for path in scanned_files():
        relative = path.relative_to(PROJECT_ROOT)
        if relative in REGISTRIES:
            continue
        text = OPTION_NAMES.sub("", path.read_text(encoding="utf-8", errors="replace"))
        for store, pattern in patterns.items():
            if belongs_to(relative, store):
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "store names outside their store:\n" + "\n".join(found)


def test_the_scan_finds_a_store_name_where_it_should_not_be(tmp_path):
    """The check itself: a shared file naming a store is found, the store's own is not."""
    shared, own = Path("scripts/shared.py"), Path("dbt_project/macros/stores/olist/files.sql")
    assert not belongs_to(shared, "olist") and belongs_to(own, "olist")
    assert name_pattern("olist").search("ref('stg_olist__order_lines')")
    assert name_pattern("olist").search("the Olist store")
    assert not name_pattern("olist").search("values.tolist()")
    assert len(scanned_files()) > 100
