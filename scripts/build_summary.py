"""What a finished build holds, for the person who ran it and for programs: read once from the
warehouse into a plain dict (written as JSON with `--summary-json`), rendered as a few lines of text.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from scripts.stores import store_named


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def _store(con: duckdb.DuckDBPyConnection, store: str) -> dict:
    """Raw lines by reason, customers and RFM segments of one store."""
    reasons = con.execute(
        "select line_status, reason, n_lines from marts.commerce_line_reconciliation"
        " where store = ? order by reason_order",
        [store],
    ).fetchall()
    as_of, n_customers, n_buyers = con.execute(
        "select max(as_of_date), count(*), count(*) filter (where has_purchases)"
        " from marts.fct_customer_rfm where store = ?",
        [store],
    ).fetchone()
    segments = con.execute(
        "select coalesce(rfm_segment, '(no purchase)'), count(*) from marts.fct_customer_rfm"
        " where store = ? group by 1 order by 2 desc, 1",
        [store],
    ).fetchall()
    summary = {
        "raw_lines": sum(n for _, _, n in reasons),
        "kept_lines": sum(n for status, _, n in reasons if status == "kept"),
        "lines_by_reason": {reason: n for _, reason, n in reasons},
        "as_of_date": str(as_of),
        "customers": n_customers,
        "customers_with_purchases": n_buyers,
        "customers_by_rfm_segment": dict(segments),
    }
    files = store_named(store).file_reconciliation
    if files and _has_table(con, "marts", files):
        summary["rows_with_bad_values"] = [
            {"file": file, "reason": reason, "field": field, "rows": n}
            for file, reason, field, n in con.execute(
                f"select source_table, reason, field, n_rows from marts.{files}"
                " where field is not null order by source_table, reason, field"
            ).fetchall()
        ]
    model = _segment_model(con, store)
    if model:
        summary["segment_model"] = model
    # a store whose adapter loads incrementally (a Spark build has no segmentation runs yet)
    if _has_table(con, "staging", f"stg_{store}__line_groups") and _has_table(
        con, "intermediate", "int_commerce_segmentation_runs"
    ):
        loaded, parsed = con.execute(
            "select sum(n_lines) filter (where load_id = (select max(model_run_id)"
            " from intermediate.int_commerce_segmentation_runs)), sum(n_lines)"
            f" from staging.stg_{store}__line_groups"
        ).fetchone()
        summary["loaded_lines"] = int(loaded or 0)
        summary["parsed_lines"] = int(parsed or 0)
    # the date order of a store that reads slashed dates from one file
    if _has_table(con, "staging", f"stg_{store}__date_order"):
        order, decided_by, example = con.execute(
            f"select date_order, decided_by, example_timestamp from staging.stg_{store}__date_order"
        ).fetchone()
        summary["date_order"] = {"order": order, "decided_by": decided_by, "example": example}
    return summary


def _segment_model(con: duckdb.DuckDBPyConnection, store: str) -> dict | None:
    """Whether the store's latest segmentation run refitted its model and why, and the model's
    k and age (None on a warehouse whose runs predate the model lifecycle)."""
    columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'segmentation_runs'"
        ).fetchall()
    }
    if "is_refit" not in columns:
        return None
    row = con.execute(
        "select is_refit, refit_reason, refit_decision, segment_model_run_id, k, model_age_days"
        " from marts.segmentation_runs where store = ?"
        " order by run_started_at desc, model_run_id desc limit 1",
        [store],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    refit, reason, decision, model_run_id, k, age = row
    return {
        "refitted": bool(refit),
        "refit_reason": reason,
        "decision": decision,
        "model_run_id": model_run_id,
        "k": k,
        "age_days": age,
    }


def _students(con: duckdb.DuckDBPyConnection) -> dict:
    """Rows read and kept per student export, students per cohort and their high-LTV share."""
    cohorts = con.execute(
        "select cohort_year, count(*), avg(case when ltv_class = 'high' then 1.0 else 0 end)"
        " from marts.fct_students group by 1 order by 1"
    ).fetchall()
    rows = con.execute(
        "select source_table, sum(n_rows), sum(case when row_status = 'kept' then n_rows end)"
        " from marts.student_source_reconciliation group by 1 order by 1"
    ).fetchall()
    return {
        "source_rows": {table: {"read": int(n), "kept": int(kept or 0)} for table, n, kept in rows},
        "students": sum(n for _, n, _ in cohorts),
        "cohorts": {
            str(year): {"students": n, "high_ltv_share": float(share)} for year, n, share in cohorts
        },
    }


def read_summary(warehouse: Path) -> dict:
    """Each store of the warehouse and the students (either absent after a first build with --only)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("checkpoint")
        return read_summary_from(con)


def read_summary_from(con: duckdb.DuckDBPyConnection) -> dict:
    """The summary of the warehouse `con` reads (a build file, or views over Spark's tables)."""
    summary: dict = {"stores": {}, "students": None}
    if _has_table(con, "marts", "fct_customer_rfm"):
        stores = con.execute("select distinct store from marts.fct_customer_rfm order by store")
        for (store,) in stores.fetchall():
            summary["stores"][store] = _store(con, store)
    if _has_table(con, "marts", "fct_students"):
        summary["students"] = _students(con)
    return summary


def _loaded_line(loaded: int, parsed: int) -> str:
    if loaded == parsed:
        return f"  loaded by this build: all {parsed:,} parsed lines"
    if loaded == 0:
        return f"  loaded by this build: 0 of {parsed:,} parsed lines (nothing appended since the last build)"
    return (
        f"  loaded by this build: {loaded:,} of {parsed:,} parsed lines"
        " (the dates of lines appended since the last build)"
    )


def _date_order_line(date_order: dict) -> str:
    order = date_order["order"].replace("_", " ")
    if date_order["example"]:
        return f"  slashed dates read {order} (as {date_order['example']} reads)"
    return f"  slashed dates read {order} ({date_order['decided_by']})"


def render_summary(summary: dict) -> str:
    """The summary as the lines a build prints."""
    lines = []
    for store, facts in summary["stores"].items():
        total, kept = facts["raw_lines"], facts["kept_lines"]
        lines += [
            f"Store {store}",
            f"Raw lines read: {total:,} (kept {kept:,}, excluded {total - kept:,})",
        ]
        if "loaded_lines" in facts:
            lines.append(_loaded_line(facts["loaded_lines"], facts["parsed_lines"]))
        if facts.get("date_order", {}).get("decided_by", "default") != "default":
            lines.append(_date_order_line(facts["date_order"]))
        lines += [
            *(
                f"  {reason:<32}{n:>12,}"
                for reason, n in facts["lines_by_reason"].items()
                if reason != "purchase"
            ),
            *(
                f"  {bad['rows']:,} row(s) of file {bad['file']}: {bad['reason']} ({bad['field']})"
                for bad in facts.get("rows_with_bad_values", [])
            ),
            f"Customers: {facts['customers']:,} ({facts['customers_with_purchases']:,} with purchases),"
            f" as of {facts['as_of_date']}",
            "Customers per RFM segment:",
            *(
                f"  {segment:<32}{n:>12,}"
                for segment, n in facts["customers_by_rfm_segment"].items()
            ),
        ]
        model = facts.get("segment_model")
        if model:
            verb = "refitted" if model["refitted"] else "scored with the stored model"
            lines.append(f"Segment model (k = {model['k']}): {verb}: {model['decision']}")
    if summary.get("product_side"):
        lines.append(f"Product side: {summary['product_side']}")
    students = summary["students"]
    if students:
        lines += [
            "Student source rows (read, kept):",
            *(
                f"  {table:<32}{rows['read']:>12,}{rows['kept']:>12,}"
                for table, rows in students["source_rows"].items()
            ),
            f"Students: {students['students']:,}; per cohort (students, high-LTV share):",
            *(
                f"  {year:<32}{cohort['students']:>12,}{cohort['high_ltv_share']:>12.1%}"
                for year, cohort in students["cohorts"].items()
            ),
        ]
    return "\n".join(lines)
