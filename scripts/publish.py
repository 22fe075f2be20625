"""The published warehouse and the build's private copy of it: copied in before the build,
moved over it atomically after."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from scripts.dbt_runner import RefusedBuild


def publish(build_file: Path, published: Path) -> None:
    """Atomically replace the published warehouse with the finished build."""
    stale_wal = published.with_name(published.name + ".wal")
    if stale_wal.exists():
        # A WAL belongs to the file it was written for; replayed into the new file it would corrupt it.
        stale_wal.unlink()
    os.replace(build_file, published)


def copy_published(published: Path, build_file: Path) -> None:
    try:
        shutil.copy2(published, build_file)  # keeps history and the loaded line groups
    except OSError as exc:
        raise RefusedBuild(
            f"cannot copy {published} into the build folder ({exc.strerror or exc})"
        ) from exc
