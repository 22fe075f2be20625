"""Assertions several test modules share: mart-vs-reference comparison and bad-input errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd


def digest(path: Path) -> str:
    """Content hash of a file, to show that a published warehouse was not touched."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def child_pids(pid: int) -> list[int]:
    """Processes whose parent is pid (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def assert_single_line_error(result, *fragments: str) -> None:
    """A build that refused its input: exit 2 and one stderr line holding every fragment."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def as_python(values: pd.Series) -> list:
    """Values as plain Python objects, nulls as None and whole floats as ints, for exact comparison."""
    out = values.astype("object").where(values.notna(), None).tolist()
    return [
        int(v) if isinstance(v, float | np.integer) and float(v).is_integer() else v for v in out
    ]


def assert_columns_equal(
    actual: pd.DataFrame, expected: pd.DataFrame, key: str, exact: list[str], approximate: list[str]
) -> None:
    """Row-aligned frames agree: `exact` columns value for value, `approximate` within 1e-9."""
    assert actual[key].tolist() == expected[key].tolist()
    for column in exact:
        got, wanted = as_python(actual[column]), as_python(expected[column])
        mismatches = [i for i, (a, w) in enumerate(zip(got, wanted, strict=True)) if a != w]
        assert not mismatches, (
            f"{column}: {len(mismatches)} rows differ, e.g. {key} {actual[key].iloc[mismatches[0]]}:"
            f" {got[mismatches[0]]!r} != {wanted[mismatches[0]]!r}"
        )
    for column in approximate:
        np.testing.assert_allclose(
            actual[column].to_numpy(dtype=float),
            expected[column].to_numpy(dtype=float),
            rtol=1e-9,
            atol=1e-6,
            equal_nan=True,
            err_msg=column,
        )
