"""scripts.shrink_guard on small warehouse files made here: the raw rows each reconciliation mart
accounts for, under its current name or, for a warehouse published before a rename, its former
one; a build that lost more than the allowed share of a store's rows is refused."""

from __future__ import annotations

import duckdb
import pytest

from scripts.dbt_runner import RefusedBuild
from scripts.shrink_guard import check_shrink, raw_row_counts


def warehouse(path, table: str, lines: dict[str, int]):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.{table} (store varchar, reason varchar, n_lines bigint)")
        for store, n in lines.items():
            con.execute(
                f"insert into marts.{table} values (?, 'purchase', ?), (?, 'no_customer', 1)",
                [store, n - 1, store],
            )
    return path


def test_a_warehouse_published_before_the_rename_is_read_under_its_old_name(tmp_path):
    old = warehouse(tmp_path / "old.duckdb", "retail_line_reconciliation", {"online_retail": 1000})
    new = warehouse(tmp_path / "new.duckdb", "commerce_line_reconciliation", {"online_retail": 900})
    assert raw_row_counts(old) == {("store", "online_retail"): 1000}
    assert raw_row_counts(new) == {("store", "online_retail"): 900}
    check_shrink(new, old, max_row_loss=0.2)
    with pytest.raises(RefusedBuild, match="online_retail"):
        check_shrink(new, old, max_row_loss=0.05)
