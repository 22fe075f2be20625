"""Split a retail Parquet file at its last invoice day, for the incremental-build benchmark.

python -m bench.day_split FILE.parquet BEFORE.parquet AFTER.parquet
  BEFORE: the lines of FILE not on its last day, in file order;
  AFTER:  the same, then the last day's lines appended (FILE grown by one day).
"""

from __future__ import annotations

import os
import sys

import duckdb


def _literal(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def split(path: str, before: str, after: str) -> None:
    day = 'cast(cast("InvoiceDate" as timestamp) as date)'
    with duckdb.connect(config={"threads": os.cpu_count() or 2}) as con:
        last = con.execute(f"select max({day}) from read_parquet({_literal(path)})").fetchone()[0]
        lines = f"""select *, {day} = date '{last}' as on_last_day
                    from read_parquet({_literal(path)}, file_row_number = true)"""
        con.execute(
            f"copy (select * exclude (on_last_day, file_row_number) from ({lines})"
            f" where not on_last_day order by file_row_number) to {_literal(before)} (format parquet)"
        )
        con.execute(
            f"copy (select * exclude (on_last_day, file_row_number) from ({lines})"
            f" order by on_last_day, file_row_number) to {_literal(after)} (format parquet)"
        )


if __name__ == "__main__":
    split(*sys.argv[1:4])
