"""Check the same-work contenders' tables against the project's warehouse built from the same
file: R, F and M per customer with purchases, the number of association rules, of next-best rows
and of the offline evaluation's list rows per method; then whether the rules and the lists are the
very same rows.

    python -m bench.same_work_check WAREHOUSE NAME=FOLDER [NAME=FOLDER ...]

Prints one line: what they agree on, or `DISAGREE:` and what differs. bench.pipeline runs it in
a process of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd


def rfm_differences(frame: pd.DataFrame, project: pd.DataFrame) -> list[str]:
    """How a contender's R, F and M per customer differ from the project's (empty: equal)."""
    frame = frame.sort_values("customer_id").reset_index(drop=True)
    if frame["customer_id"].astype("int64").tolist() != project["customer_id"].tolist():
        return [f"different customers ({len(frame):,} vs {len(project):,})"]
    problems = [
        f"{column} differs"
        for column in ("recency", "frequency")
        if not (frame[column].astype("int64") == project[column].astype("int64")).all()
    ]
    if not np.allclose(frame["monetary"], project["monetary"], rtol=1e-9, atol=1e-6):
        problems.append("monetary differs")
    return problems


# What a same-work contender must agree on with the project: a count of rows, from the project's
# warehouse and from the contender's Parquet file.
COUNTED = {
    "association rules": ("marts.product_associations", "product_associations"),
    "next-best rows": ("marts.customer_recommendations", "customer_recommendations"),
}
# The rows that should be the very same (columns in both)
SAME_ROWS = {
    "rules": (
        "marts.product_associations",
        "product_associations",
        "antecedent_product_id, consequent_product_id, baskets",
    ),
    "next-best lists": (
        "marts.customer_recommendations",
        "customer_recommendations",
        "customer_id, recommendation_rank, product_id",
    ),
    "evaluation lists": (
        "intermediate.int_recommendation_evaluation_lists",
        "recommendation_evaluation_lists",
        "customer_id, method, recommendation_rank, product_id",
    ),
}
EVALUATION_LISTS = "intermediate.int_recommendation_evaluation_lists"
METHODS = ("model", "global_popularity", "segment_popularity")


def compare_same_work(warehouse: Path, outputs: dict[str, Path]) -> str:
    """Check each same-work contender's tables against the project's warehouse: R, F and M per
    customer with purchases, the number of association rules, of next-best rows and of the
    evaluation's list rows per method; then whether the rules and lists are the very same rows."""
    problems, differing = [], []
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as project (read_only)")
        project_rfm = con.execute(
            "select customer_id, recency_days as recency, frequency, monetary"
            " from project.marts.fct_customer_rfm where has_purchases order by customer_id"
        ).df()
        expected = {
            what: con.execute(f"select count(*) from project.{table}").fetchone()[0]
            for what, (table, _) in COUNTED.items()
        }
        methods = dict(
            con.execute(
                f"select method, count(*) from project.{EVALUATION_LISTS} group by method"
                " order by method"
            ).fetchall()
        )
        for name, folder in outputs.items():

            def parquet(table: str, folder: Path = folder) -> str:
                return f"read_parquet('{folder / table}.parquet')"

            frame = con.execute(
                f"select customer_id, recency_days as recency, frequency, monetary"
                f" from {parquet('rfm')}"
            ).df()
            problems += [f"{name}: RFM {p}" for p in rfm_differences(frame, project_rfm)]
            for what, (_, table) in COUNTED.items():
                found = con.execute(f"select count(*) from {parquet(table)}").fetchone()[0]
                if found != expected[what]:
                    problems.append(f"{name}: {found:,} {what}, the project {expected[what]:,}")
            found = dict(
                con.execute(
                    f"select method, count(*) from {parquet('recommendation_evaluation_lists')}"
                    " group by method"
                ).fetchall()
            )
            for method in sorted(set(methods) | set(found)):
                if found.get(method, 0) != methods.get(method, 0):
                    problems.append(
                        f"{name}: {found.get(method, 0):,} evaluation list rows of {method},"
                        f" the project {methods.get(method, 0):,}"
                    )
            for what, (table, file, columns) in SAME_ROWS.items():
                a, b = (
                    f"select {columns} from project.{table}",
                    f"select {columns} from {parquet(file)}",
                )
                n = con.execute(
                    f"select count(*) from (({a} except all {b}) union all ({b} except all {a}))"
                ).fetchone()[0]
                if n:
                    differing.append(f"{name}: {n:,} rows of the {what} not in both")
    if problems:
        return "DISAGREE: " + "; ".join(problems)
    per_method = ", ".join(f"{methods.get(m, 0):,} ({m})" for m in METHODS)
    agreed = (
        f"{' and '.join(outputs)} {'agrees' if len(outputs) == 1 else 'agree'} with the project: R, F and M of {len(project_rfm):,}"
        f" customers, {expected['association rules']:,} association rules,"
        f" {expected['next-best rows']:,} next-best rows, evaluation lists of {per_method} rows"
    )
    if differing:
        return agreed + "; the same counts but not the same rows: " + "; ".join(differing)
    return agreed + ": the very same rules and lists"


def main(warehouse: str, outputs: list[str]) -> None:
    folders = dict(output.split("=", 1) for output in outputs)
    print(compare_same_work(Path(warehouse), {name: Path(f) for name, f in folders.items()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
