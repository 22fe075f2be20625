"""The shrink guard: a build that read far fewer raw rows of a store, or of one file, than the
warehouse it would replace is not published. A cut-short or wrong file must not replace a good
warehouse quietly, even when the loss is a quarter of one file among many.

Rows are counted by the reconciliation marts of both warehouses, so the comparison is the same
whatever the file's format: per store (marts.commerce_line_reconciliation, formerly
retail_line_reconciliation), per file of a store that has its own file reconciliation (its
adapter's file_reconciliation) and per student export (marts.student_source_reconciliation).
A store or file the new build does not include is not compared.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from scripts.dbt_runner import RefusedBuild
from scripts.stores import FIRST_STORE, STORES

# The largest share of a store's or a file's raw rows a build may lose against the warehouse it
# replaces (--max-row-loss); --allow-shrink publishes whatever the build read.
DEFAULT_MAX_ROW_LOSS = 0.2

# What is counted: (what the user reads, reconciliation mart and its former names, its name
# column, its row count), files first, so a refusal names the file that lost rows rather than
# its whole store. A warehouse published before a rename has the mart under a former name.
COUNTS = (
    *(
        (f"{store.name} file", (store.file_reconciliation,), "source_table", "n_rows")
        for store in STORES
        if store.file_reconciliation
    ),
    ("student export", ("student_source_reconciliation",), "source_table", "n_rows"),
    ("store", ("commerce_line_reconciliation", "retail_line_reconciliation"), "store", "n_lines"),
)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = ?",
            [table],
        ).fetchall()
    }


def raw_row_counts(warehouse: Path) -> dict[tuple[str, str], int]:
    """(kind, name) -> raw rows the warehouse accounts for, for every store and file it holds."""
    counts = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for kind, names, name_column, count_column in COUNTS:
            table, columns = next(
                ((name, found) for name in names if (found := _columns(con, name))), (None, set())
            )
            if not columns:
                continue
            if name_column not in columns:  # published before stores existed: one store
                name_column = f"'{FIRST_STORE}'"
            rows = con.execute(
                f"select {name_column}, sum({count_column}) from marts.{table} group by 1"
            ).fetchall()
            counts.update({(kind, name): int(n or 0) for name, n in rows})
    return counts


def check_shrink(build_file: Path, published: Path, max_row_loss: float) -> None:
    """Refuse to replace `published` when the build lost more than max_row_loss of the raw rows
    of a store or file the published warehouse has."""
    before = raw_row_counts(published)
    for (kind, name), rows in raw_row_counts(build_file).items():  # in the order of COUNTS
        had = before.get((kind, name))
        if had and rows < (1 - max_row_loss) * had:
            raise RefusedBuild(
                f"this build read {rows:,} raw rows of {kind} {name}, {1 - rows / had:.0%} fewer"
                f" than the {had:,} of the warehouse it would replace (a build may lose at most"
                f" {max_row_loss:.0%}: --max-row-loss); a cut-short or wrong file? To replace it"
                " on purpose, run again with --allow-shrink"
            )
