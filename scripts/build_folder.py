"""The build folder beside a published warehouse (`.build-<name>/`): the file dbt builds, dbt's
parsed project (target/), converted inputs (input/) and the lock that keeps two builds of one
warehouse apart.

The folder may sit in a shared place where someone else created it first, so the build writes
nothing through a link it did not make: the folder itself must be a real folder of this user,
the lock is opened without following links, and a link planted anywhere inside stops the build
before anything is written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts.dbt_runner import BuildError, RefusedBuild

# The file dbt builds, inside the build folder. A fixed name: DuckDB names the catalog after the
# file, and dbt-duckdb writes the catalog name into some of its SQL unescaped, so a published name
# such as "w'h.duckdb" must not reach dbt. The name does not last: the models never write the
# catalog into views, and the file is renamed to the published name.
BUILD_FILE_NAME = "warehouse.duckdb"
LOCK_NAME = "lock"


def build_dir_for(published: Path) -> Path:
    # Same folder (same filesystem, so the rename is atomic).
    return published.parent / f".build-{published.name}"


def _refuse_link(path: Path) -> RefusedBuild:
    return RefusedBuild(
        f"{path}: a symbolic link inside the build folder, which the build did not create; remove"
        " it (a build never writes through a link it did not make)"
    )


def make_build_dir(build_dir: Path) -> None:
    """Create the build folder, or accept an existing one only when it is a real folder owned by
    this user with no symbolic link inside."""
    with contextlib.suppress(FileExistsError):  # a file or a link by that name: refused below
        build_dir.mkdir(mode=0o755, exist_ok=True)
    info = os.lstat(build_dir)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise RefusedBuild(
            f"{build_dir}: the build folder is a symbolic link or not a folder; remove it (a build"
            " writes only into a folder of its own)"
        )
    if info.st_uid != os.geteuid():
        raise RefusedBuild(
            f"{build_dir}: the build folder belongs to another user (uid {info.st_uid}); remove"
            " it or publish to a folder of your own (DUCKDB_PATH)"
        )
    for folder, folders, files in os.walk(build_dir):
        for name in folders + files:
            if os.path.islink(os.path.join(folder, name)):
                raise _refuse_link(Path(folder) / name)


@contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """Hold the build folder's lock; fail at once when another build of the warehouse holds it.
    The lock file is opened without following a link and never truncated."""
    make_build_dir(build_dir)
    lock_path = build_dir / LOCK_NAME
    try:
        descriptor = os.open(
            lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
        )
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse_link(lock_path) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise RefusedBuild(f"{lock_path}: not a regular file; remove it")
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(
                f"another build of this warehouse is running (lock: {lock_path})"
            ) from None
        yield
    finally:
        os.close(descriptor)


def remove_build_file(build_file: Path) -> None:
    """Remove what a build killed outright left (unlinking a link removes the link only)."""
    for leftover in (build_file, build_file.with_name(build_file.name + ".wal")):
        leftover.unlink(missing_ok=True)
