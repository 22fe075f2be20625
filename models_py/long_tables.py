"""One table of several kinds of rows (a `row_kind` column) that marts split, from frames of
different columns: what a dbt Python model returns when it computes several results at once."""

from __future__ import annotations

import pandas as pd
from pandas.api.types import is_bool_dtype, is_integer_dtype

KIND = "row_kind"


def long_table(
    parts: list[pd.DataFrame], empty_columns: dict[str, str] | None = None
) -> pd.DataFrame:
    """The parts one under the other. A column one kind of row lacks is null in those rows; integer
    and boolean columns become nullable (Int64, boolean) first, because pandas would otherwise
    turn them into float64 to hold the nulls, and ids above 2**53 would lose digits. No parts:
    no rows, with `empty_columns` (name: dtype; default store and row_kind)."""
    if not parts:
        columns = empty_columns or {"store": "string", KIND: "string"}
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
    nullable = [
        part.astype(
            {
                column: "Int64" if is_integer_dtype(dtype) else "boolean"
                for column, dtype in part.dtypes.items()
                if (is_integer_dtype(dtype) or is_bool_dtype(dtype))
            }
        )
        for part in parts
    ]
    return pd.concat(nullable, ignore_index=True)
