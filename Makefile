# The two commands: `make run` builds the warehouse, `make test` runs the whole suite.
# Both create .venv from pyproject.toml first, so they work on a fresh machine.

PYTHON_BOOTSTRAP ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# The Spark target's extra (pyspark, dbt-spark) and Java 17: installed by `make run ENGINE=spark`
# and `make test` only (docs/spark.md).
SPARK_INSTALLED := $(VENV)/.installed-spark

# Optional inputs (docs/inputs.md; make passes them on as given): RETAIL_PATH (CSV, CSV.gz or
# Parquet), RETAIL_ENCODING (auto, utf-8, cp1252, latin-1), OLIST_DIR (a folder of marketplace
# exports), ORDERS_PATH (your shop's export of order lines) with ORDERS_COLUMNS_FILE (a YAML
# mapping of its columns) and/or ORDERS_MAP (field=column,...), STUDENTS_DIR, DUCKDB_PATH; REFIT=1 refits the
# segment models even when no refit is due; MAX_ROW_LOSS (default 0.2) is the largest share of a
# store's or a file's raw rows a build may lose against the published warehouse, ALLOW_SHRINK=1
# publishes whatever it lost.
export RETAIL_PATH
export RETAIL_ENCODING
export STUDENTS_DIR
export DUCKDB_PATH
export ALLOW_SHRINK
export MAX_ROW_LOSS
export REFIT
# ENGINE=spark builds the commerce stores on Spark instead of DuckDB (those it can: docs/spark.md);
# SPARK_METHOD=thrift uses a Spark Thrift server at SPARK_HOST:SPARK_PORT (docs/spark.md).
ENGINE ?= duckdb
export SPARK_METHOD
export SPARK_HOST
export SPARK_PORT
export SPARK_WAREHOUSE_DIR

# Scoring API address.
API_HOST ?= 127.0.0.1
API_PORT ?= 8000
# Dashboard and dbt docs site (local only), Parquet export folder.
DASHBOARD_PORT ?= 8501
DOCS_PORT ?= 8080
EXPORT_DIR ?= exports
# Superset (docs/bi.md): its own virtual environment, pinned in bi/superset/requirements.txt.
SUPERSET_PORT ?= 8088
SUPERSET_VENV := .venv-superset
SUPERSET_INSTALLED := $(SUPERSET_VENV)/.installed

.PHONY: run test test-fast test-spark-cluster setup setup-spark spark-cluster spark-cluster-stop lint lint-sql clean serve bench bench-spark bench-api bench-api-load dashboard docs export superset superset-setup test-bi

setup: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

setup-spark: $(SPARK_INSTALLED)

$(SPARK_INSTALLED): $(INSTALLED)
	command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless)
	$(PY) -m pip install --quiet -e '.[dev,spark]'
	touch $(SPARK_INSTALLED)

run: $(INSTALLED) $(if $(filter spark,$(ENGINE)),$(SPARK_INSTALLED))
	$(PY) scripts/build_warehouse.py --engine $(ENGINE)

# The suite on TEST_WORKERS processes (pytest-xdist), each test module on one worker, so its
# module-scoped warehouses are built once, in collection order (the longest modules first:
# tests/conftest.py); the session's warehouses are built once for all workers
# (tests/shared_builds.py). Three workers on two cores: a worker often waits (on dbt, a server,
# a browser), and with two a quarter of the CPU time went unused.
TEST_WORKERS ?= 3
test: $(INSTALLED) $(SPARK_INSTALLED) $(SUPERSET_INSTALLED)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

# The Spark target through a real local cluster: master, two workers and a Thrift server on
# 127.0.0.1, started and stopped by the test, two builds per engine (about 10 minutes; not part of `make test`).
test-spark-cluster: $(SPARK_INSTALLED)
	$(PY) -m pytest -m spark_cluster tests/integration/test_spark_parity.py

# A local Spark cluster to build through (make run ENGINE=spark SPARK_METHOD=thrift); stop it
# with `make spark-cluster-stop`.
spark-cluster: $(SPARK_INSTALLED)
	$(PY) scripts/spark_cluster.py start

spark-cluster-stop: $(SPARK_INSTALLED)
	$(PY) scripts/spark_cluster.py stop

# The unit lane: crafted data only, no dbt run, no warehouse, no ../shared (about 15 s).
test-fast: $(INSTALLED)
	$(PY) -m pytest tests/unit

# Pipeline benchmark: BENCH_SIZES=1000000,10000000,100000000 adds the (long) 100M size.
bench: $(INSTALLED)
	$(PY) -m bench.pipeline $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES)) $(if $(BENCH_RUNS),--runs $(BENCH_RUNS))

# The commerce core on a local Spark session vs DuckDB (BENCH_SIZES=1000000 for the small size only).
bench-spark: $(SPARK_INSTALLED)
	$(PY) -m bench.spark $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES))

# Scoring API latency (needs a built warehouse and wrk, installed here when missing).
bench-api: $(INSTALLED)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) -m bench.api_latency

# Scoring API under 200 and 1,000 concurrent clients, a republish midway (needs a built warehouse).
bench-api-load: $(INSTALLED)
	$(PY) -m bench.api_load

serve: $(INSTALLED)
	$(PY) -m apps.api --host $(API_HOST) --port $(API_PORT)

dashboard: $(INSTALLED)
	$(PY) -m streamlit run apps/dashboard/app.py --server.address 127.0.0.1 \
		--server.port $(DASHBOARD_PORT) --server.headless true \
		--browser.gatherUsageStats false --client.toolbarMode minimal

# Superset on http://127.0.0.1:$(SUPERSET_PORT) (user admin, password $SUPERSET_ADMIN_PASSWORD or
# admin), read-only on the published warehouse, with the dashboard of bi/superset/dashboard/
# imported; its metadata database and secret key in .superset/.
superset-setup: $(SUPERSET_INSTALLED)

$(SUPERSET_INSTALLED): bi/superset/requirements.txt $(INSTALLED)
	$(PYTHON_BOOTSTRAP) -m venv $(SUPERSET_VENV)
	$(PY) -m uv pip install --quiet --python $(SUPERSET_VENV)/bin/python -r bi/superset/requirements.txt
	touch $(SUPERSET_INSTALLED)

superset: $(SUPERSET_INSTALLED)
	$(SUPERSET_VENV)/bin/python bi/superset/superset_server.py --port $(SUPERSET_PORT)

# The Superset dashboard in chromium, kept rendering through a publish (part of `make test`; alone).
test-bi: $(INSTALLED) $(SUPERSET_INSTALLED)
	$(PY) -m pytest -m bi tests/integration/test_superset_dashboard.py

docs: $(INSTALLED)
	$(PY) scripts/dbt_docs.py --serve --port $(DOCS_PORT)

export: $(INSTALLED)
	$(PY) scripts/export_parquet.py --out $(EXPORT_DIR)

# Python (ruff lint and format) and SQL (sqlfluff with the dbt templater, compiled against an
# in-memory database on the sample inputs, so it never opens a published warehouse).
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory lint-sql

# every store's models compiled on its shipped sample (python -m scripts.stores sample-env)
lint-sql: $(INSTALLED)
	eval "$$($(PY) -m scripts.stores sample-env)" && cd dbt_project \
		&& env -u RETAIL_PATH -u STUDENTS_DIR DBT_DUCKDB_PATH=:memory: ../$(VENV)/bin/sqlfluff lint models tests analyses

clean:
	rm -rf $(VENV) $(SUPERSET_VENV) .superset data dbt_project/target dbt_project/logs .dbt-parse .pytest_cache test-output spark-warehouse spark-cluster
