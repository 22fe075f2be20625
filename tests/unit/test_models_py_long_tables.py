"""long_table keeps every integer exact when kinds of rows with different columns are stacked."""

from __future__ import annotations

import duckdb
import pandas as pd

from models_py.long_tables import long_table

BIG_ID = 2**62 + 1  # not a float64: 2**62 + 1 would come back as 2**62


def test_ids_beyond_float_precision_survive_the_stacking_and_duckdb():
    customers = pd.DataFrame({"customer_id": [BIG_ID, -BIG_ID], "segment": [1, 2]})
    summary = pd.DataFrame({"k": [2], "is_chosen": [True], "score": [0.5]})
    stacked = long_table(
        [customers.assign(store="a", row_kind="customer"), summary.assign(store="a", row_kind="k")]
    )
    assert stacked["customer_id"].tolist()[:2] == [BIG_ID, -BIG_ID]
    assert stacked["customer_id"].isna().tolist() == [False, False, True]
    read = duckdb.sql(
        "select customer_id, is_chosen from stacked where row_kind = 'customer' order by segment"
    ).fetchall()
    assert read == [(BIG_ID, None), (-BIG_ID, None)]


def test_no_parts_give_the_key_columns():
    assert list(long_table([]).columns) == ["store", "row_kind"]
