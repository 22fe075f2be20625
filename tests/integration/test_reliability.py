"""Fault matrix of the build (docs/reliability.md): each hostile input or event ends in a clean
publish that accounts for every raw line, or in exit 2 with one line and the published warehouse
byte-identical."""

from __future__ import annotations

import gzip
import json
import resource
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from checks import assert_single_line_error, child_pids, digest
from support import PROJECT_ROOT, REAL_RETAIL_FILE, SCRIPTS, build_warehouse

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


@pytest.fixture
def published(tmp_path, generated_warehouse) -> Path:
    """A private copy of the shared generated warehouse, as if published earlier."""
    path = tmp_path / "published" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copy2(generated_warehouse.path, path)
    return path


def data_lines(retail_file: Path, n: int) -> list[str]:
    with open(retail_file, encoding="utf-8") as handle:
        next(handle)
        return [next(handle) for _ in range(n)]


def write_lines(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(HEADER + "".join(lines))
    return path


def reconciliation(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(
            con.execute("select reason, n_lines from marts.commerce_line_reconciliation").fetchall()
        )


def non_blank_lines(path: Path) -> int:
    """Lines of a CSV file after its header, counted by Python, independently of the build."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return sum(1 for line in handle if line.strip()) - 1


# --- data loss and wrong publishes -------------------------------------------------------------


@pytest.mark.real_data
def test_cut_short_gzip_stops_before_publishing(tmp_path, published):
    if not REAL_RETAIL_FILE.exists():
        pytest.skip("real data not found")
    before = digest(published)
    truncated = tmp_path / "t.csv.gz"
    truncated.write_bytes(REAL_RETAIL_FILE.read_bytes()[:300_000])
    result = build_warehouse(truncated, published)
    assert_single_line_error(result, str(truncated), "gzip stream is cut short")
    assert digest(published) == before


def test_shrink_guard_refuses_then_allows(tmp_path, published, generated_retail_file):
    before = digest(published)
    small = write_lines(tmp_path / "small.csv", data_lines(generated_retail_file, 5_000))
    result = build_warehouse(small, published, "--only", "commerce")
    assert_single_line_error(
        result, "raw rows of store online_retail", "fewer than", "--allow-shrink"
    )
    assert digest(published) == before

    allowed = build_warehouse(small, published, "--only", "commerce", "--allow-shrink")
    assert allowed.returncode == 0, allowed.stderr
    assert sum(reconciliation(published).values()) == 5_000


def test_paths_reach_sql_as_themselves(tmp_path, generated_retail_file, generated_students_dir):
    """A retail file and a students folder named like injections are read as themselves (the
    retail file beside the file its injection names, the students folder's naming a file it
    would write), and a warehouse path with a quote, a semicolon, a space and unicode simply
    works."""
    folder = tmp_path / "d'o; é x"
    folder.mkdir()
    hostile = write_lines(folder / "a'||'.csv", data_lines(generated_retail_file, 3_000))
    write_lines(folder / "a.csv", data_lines(generated_retail_file, 9_000))
    marker = tmp_path / "x.csv"
    students = (
        tmp_path
        / f"b', header=true); copy (select 42) to '{marker}'; select * from read_csv('students"
    )
    shutil.copytree(generated_students_dir, students)
    warehouse = folder / "w'h; é.duckdb"
    result = build_warehouse(hostile, warehouse, "--students-dir", str(students))
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert sum(reconciliation(warehouse).values()) == 3_000
    with duckdb.connect(str(warehouse), read_only=True) as con:  # the line view reads it too
        assert con.execute(
            "select count(*) from staging.stg_online_retail__invoice_lines"
        ).fetchone() == (3_000,)
        students_built = con.execute("select count(*) from marts.fct_students").fetchone()[0]
    assert students_built > 0


def test_copied_warehouse_answers_under_any_name(tmp_path, generated_warehouse):
    copy = tmp_path / "renamed copy.duckdb"
    shutil.copy2(generated_warehouse.path, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
        assert views
        for schema, view in views:
            con.execute(f'select count(*) from "{schema}"."{view}"').fetchone()
    with duckdb.connect() as con:  # attached under an alias, as BI tools do
        quoted = str(copy).replace("'", "''")
        con.execute(f"attach '{quoted}' as bi_alias (read_only)")
        assert con.execute("select count(*) from bi_alias.marts.score_rfm").fetchone()[0] > 0


# --- hostile files: consistent behaviour, every raw line accounted for ------------------------


def test_stray_quotes_and_huge_field_are_rejected_lines(tmp_path, generated_retail_file):
    """An unclosed quote early or late, and a 5 MB field: the rest is built, and the
    reconciliation accounts for every line of the file (those a reject ran on over included)."""
    lines = data_lines(generated_retail_file, 8_000)
    for position in (2, 6_000):  # inside the reader's first sample, and far after it
        fields = lines[position].split(",")
        fields[2] = '"' + fields[2]
        lines[position] = ",".join(fields)
    fields = lines[3_000].split(",")
    fields[2] = "X" * 5_000_000
    lines[3_000] = ",".join(fields)
    hostile = write_lines(tmp_path / "hostile.csv", lines)
    warehouse = tmp_path / "w.duckdb"
    result = build_warehouse(hostile, warehouse, "--only", "commerce")
    assert result.returncode == 0, result.stderr
    counts = reconciliation(warehouse)
    assert sum(counts.values()) == non_blank_lines(hostile) == 8_000
    assert counts["rejected_by_parser"] >= 3
    assert counts["purchase"] > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        errors = {
            row[0]
            for row in con.execute(
                "select error_type from staging.stg_online_retail__parser_rejects"
            ).fetchall()
        }
    assert "LINE SIZE OVER MAXIMUM" in errors


def test_cp1252_file_is_read(tmp_path, generated_retail_file):
    lines = data_lines(generated_retail_file, 6_000)
    fields = lines[10].split(",")
    fields[2] = "CAFÉ £5 ‘SALE’ MUG"
    lines[10] = ",".join(fields)
    latin = write_lines(tmp_path / "latin.csv", lines, encoding="cp1252")
    warehouse = tmp_path / "w.duckdb"
    result = build_warehouse(latin, warehouse, "--only", "commerce")
    assert result.returncode == 0, result.stderr
    counts = reconciliation(warehouse)
    assert sum(counts.values()) == 6_000
    assert counts["rejected_by_parser"] == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            "select count(*) from staging.stg_online_retail__invoice_lines"
            " where description = 'CAFÉ £5 ‘SALE’ MUG'"
        ).fetchone()[0]
    assert found == 1
    forced = build_warehouse(latin, tmp_path / "w2.duckdb", "--encoding", "utf-8")
    assert_single_line_error(forced, str(latin), "not valid UTF-8 at line 12", "--encoding")


# --- builds that cannot go ahead: one line, exit 2, nothing published -------------------------


def _customer_ids(lines: list[str]) -> set[str]:
    return {line.split(",")[6] for line in lines}


def test_too_few_customers(tmp_path, published, generated_retail_file):
    """One customer's purchase beside cancellations and lines without a customer id, each kind of
    several customers: only the first segments, so the build refuses (the refusal itself, at
    models_py.features.fit_scaler, is tested in tests/unit/test_models_py_features.py). Were
    either exclusion broken, the file would have customers enough and would build."""
    before = digest(published)
    lines = data_lines(generated_retail_file, 401)
    cancellations = ["C" + line for line in lines[1:201]]
    no_ids = []
    for line in lines[201:]:
        fields = line.split(",")
        fields[6] = ""
        no_ids.append(",".join(fields))
    assert len(_customer_ids(lines[1:201])) > 1 and len(_customer_ids(lines[201:])) > 1
    few = write_lines(tmp_path / "few.csv", [lines[0], *cancellations, *no_ids])
    result = build_warehouse(few, published, "--only", "commerce")
    assert_single_line_error(result, str(few), "too few customers to segment")
    assert "Traceback" not in result.stdout + result.stderr
    assert digest(published) == before


def test_no_parseable_invoice_date(tmp_path, published, generated_retail_file):
    before = digest(published)
    lines = []
    for line in data_lines(generated_retail_file, 100):
        fields = line.split(",")
        fields[4] = "someday"
        lines.append(",".join(fields))
    undated = write_lines(tmp_path / "undated.csv", lines)
    result = build_warehouse(undated, published, "--only", "commerce")
    assert_single_line_error(result, str(undated), "no line has a parseable InvoiceDate")
    assert digest(published) == before


def test_dates_of_both_orders_are_refused(tmp_path, published, generated_retail_file):
    """A file whose dates are written month first on some lines and day first on others cannot
    be read one way without misreading the other's ambiguous dates (01/12 as January)."""
    before = digest(published)
    lines = []
    for number, line in enumerate(data_lines(generated_retail_file, 400)):
        fields = line.split(",")
        when = datetime.fromisoformat(fields[4]).replace(day=13 + number % 15)
        fields[4] = when.strftime("%m/%d/%Y %H:%M" if number % 2 else "%d/%m/%Y %H:%M")
        lines.append(",".join(fields))
    mixed = write_lines(tmp_path / "mixed_dates.csv", lines)
    result = build_warehouse(mixed, published, "--only", "commerce")
    assert_single_line_error(result, str(mixed), "InvoiceDate is written month first on 200 lines")
    assert "retail_date_order" in result.stderr
    assert digest(published) == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--vars", "{not json"], "--vars: not valid JSON"),
        (["--vars", "[1, 2]"], "--vars: expected a JSON object"),
        (["--as-of-date", "2011-13-45"], "is not a date"),
        (["--as-of-date", "2011-01-01'; drop table x; --"], "is not a date"),
    ],
)
def test_bad_options_are_one_line(published, generated_retail_file, args, fragment):
    before = digest(published)
    result = build_warehouse(generated_retail_file, published, *args)
    assert_single_line_error(result, fragment)
    assert digest(published) == before


def _limit_file_size() -> None:
    # Writes past 1 MB fail with EFBIG instead of killing the process: a full disk, in effect.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))


def build_on_a_full_disk(retail_file: Path, warehouse: Path, *extra: str):
    """The build with every write past 1 MB failing, as on a disk that fills up."""
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "build_warehouse.py"),
            "--retail-path",
            str(retail_file),
            "--duckdb-path",
            str(warehouse),
            "--quiet",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        preexec_fn=_limit_file_size,
    )


def test_no_space_while_copying_the_warehouse(published, generated_retail_file):
    before = digest(published)
    assert published.stat().st_size > 1 << 20
    result = build_on_a_full_disk(generated_retail_file, published)
    assert_single_line_error(result, "cannot copy", str(published))
    assert digest(published) == before
    assert not list(published.parent.glob(".build-*/*.duckdb"))


# --- processes ---------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigkill_of_the_build_takes_dbt_with_it(published, generated_retail_file):
    before = digest(published)
    build = subprocess.Popen(
        [
            sys.executable,
            str(SCRIPTS / "build_warehouse.py"),
            "--retail-path",
            str(generated_retail_file),
            "--duckdb-path",
            str(published),
            "--quiet",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    children = []
    while not children and time.monotonic() < deadline:
        time.sleep(0.2)
        children = child_pids(build.pid)
    assert children, "dbt never started"
    time.sleep(2)  # let dbt open the build file
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children), "dbt outlived the build process"
    assert digest(published) == before
    again = build_warehouse(generated_retail_file, published, "--only", "commerce")
    assert again.returncode == 0, again.stderr


def test_dbt_sends_no_usage_events(generated_warehouse):
    manifest = generated_warehouse.path.parent / f".build-{generated_warehouse.path.name}"
    metadata = json.loads((manifest / "target" / "manifest.json").read_text())["metadata"]
    assert metadata["send_anonymous_usage_stats"] is False


# --- the build folder: nothing outside it is written -------------------------------------------


@pytest.mark.parametrize("planted", ["lock", "target"])
def test_a_link_planted_in_the_build_folder_is_refused(
    tmp_path, published, generated_retail_file, planted
):
    """Someone else made the build folder and put a link in it (to a file of theirs, or to a
    folder): the build stops before writing anything, and what the link points to is intact."""
    before = digest(published)
    victim = tmp_path / "someone_elses.txt"
    victim.write_text("keep me\n")
    build_dir = published.parent / f".build-{published.name}"
    build_dir.mkdir()
    (build_dir / planted).symlink_to(victim if planted == "lock" else tmp_path)
    result = build_warehouse(generated_retail_file, published, "--only", "commerce")
    assert_single_line_error(result, str(build_dir / planted), "symbolic link", "remove it")
    assert victim.read_text() == "keep me\n"
    assert digest(published) == before


def test_a_build_folder_that_is_a_link_is_refused(tmp_path, published, generated_retail_file):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    build_dir = published.parent / f".build-{published.name}"
    build_dir.symlink_to(elsewhere)
    result = build_warehouse(generated_retail_file, published, "--only", "commerce")
    assert_single_line_error(result, str(build_dir), "symbolic link or not a folder")
    assert list(elsewhere.iterdir()) == []


def test_no_space_during_a_fresh_build_is_one_line(tmp_path, generated_retail_file):
    """The disk fills while dbt writes the build file: one line saying so and what to do, not
    dbt's list of failed nodes or a traceback; nothing is published."""
    warehouse = tmp_path / "fresh" / "warehouse.duckdb"
    result = build_on_a_full_disk(generated_retail_file, warehouse, "--only", "commerce")
    assert_single_line_error(result, "no space left to build the warehouse", "free some space")
    assert not warehouse.exists()
