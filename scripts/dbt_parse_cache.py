"""dbt's parsed project shared between build folders, so a build in a new folder (a new
warehouse, a benchmark, a test) parses only what changed instead of the whole project (about
4 s of a small build).

dbt keeps its parse in `<target>/partial_parse.msgpack` and reuses it when its state check
passes: the same dbt version, --vars and target, the same values of the environment variables
that dbt_project.yml reads, the same profile values (the DuckDB file's path among them, which
is why dbt runs in the build folder and names the file relatively: see dbt_runner), and the same
dbt_project.yml. Changed model files are re-parsed by dbt itself, one by one. The cache keeps
one parse per state key, in a folder of the project that only builds write, so builds of
different kinds (commerce only, both domains, other vars) do not evict each other's parse.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

PARSE_FILE = "partial_parse.msgpack"
KEPT_PARSES = 12
ENV_VAR = re.compile(r"env_var\(\s*['\"]([A-Za-z_][A-Za-z0-9_]*)['\"]")


def state_variables(state_files: list[Path]) -> list[str]:
    """The environment variables `state_files` (the profile, dbt_project.yml) read: their values
    enter dbt's state check. A model's do not: dbt re-parses that model alone when one changes."""
    names: set[str] = set()
    for path in state_files:
        names.update(ENV_VAR.findall(path.read_text()))
    return sorted(names)


def option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1] if name in arguments[:-1] else ""


def state_key(arguments: list[str], env: dict, state_files: list[Path]) -> str:
    """What dbt's state check compares, as a file name: same key, same parse."""
    import dbt.version  # the installed dbt, not the pinned range: a saved parse is per version

    parts = [
        dbt.version.__version__,
        option(arguments, "--target"),
        option(arguments, "--vars"),
        *(f"{name}={env.get(name, '')}" for name in state_variables(state_files)),
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]


def restore(target_dir: Path, cache_dir: Path, key: str) -> None:
    """Put the cached parse for `key` in the build folder's target/, if there is one."""
    cached = cache_dir / f"{key}.msgpack"
    if cache_dir.is_symlink() or cached.is_symlink() or not cached.is_file():
        return
    target_dir.mkdir(parents=True, exist_ok=True)
    destination = target_dir / PARSE_FILE
    destination.unlink(missing_ok=True)  # never written through: a fresh file of ours
    with contextlib.suppress(OSError):
        shutil.copyfile(cached, destination)


def save(target_dir: Path, cache_dir: Path, key: str) -> None:
    """Keep the build folder's parse for the next build with the same key (atomic: builds run
    side by side), and only the KEPT_PARSES most recent keys."""
    parsed = target_dir / PARSE_FILE
    if not parsed.is_file() or parsed.is_symlink():
        return
    with contextlib.suppress(OSError):
        cache_dir.mkdir(exist_ok=True)
        if cache_dir.is_symlink():
            return
        descriptor, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".part")
        os.close(descriptor)
        shutil.copyfile(parsed, temporary)
        os.replace(temporary, cache_dir / f"{key}.msgpack")
        parses = sorted(cache_dir.glob("*.msgpack"), key=lambda path: path.stat().st_mtime)
        for old in parses[:-KEPT_PARSES]:
            old.unlink(missing_ok=True)
