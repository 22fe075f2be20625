"""A real local Spark cluster on 127.0.0.1: a standalone master, two workers and a Spark Thrift
server running on them, each its own process, stopped by pid.

    python scripts/spark_cluster.py start [--dir spark-cluster] [--port 10000]
    python scripts/spark_cluster.py stop  [--dir spark-cluster]

`make spark-cluster` starts it; then `make run ENGINE=spark SPARK_METHOD=thrift` builds through
it (docs/spark.md). Its tables and metastore are under <dir>/warehouse, so the build's summary
can read them. The processes come from the pyspark package (its spark-class launcher); Java 17
must be on the PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyspark

from scripts.project_paths import PROJECT_ROOT

SPARK_HOME = Path(pyspark.__file__).parent
HOST = "127.0.0.1"
MASTER_PORT = 7077
WORKERS = 2
WORKER_MEMORY = "2g"
STARTUP_TIMEOUT_S = 180
STATE_FILE = "cluster.json"


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((HOST, port)) == 0


def _wait_for_port(port: int, what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not _port_open(port):
        if process.poll() is not None:
            raise SystemExit(
                f"error: the {what} stopped at start (exit {process.returncode}); see {log}"
            )
        if time.monotonic() > deadline:
            raise SystemExit(f"error: the {what} did not listen on {HOST}:{port}; see {log}")
        time.sleep(1)


def _launch(command: list[str], log: Path, env: dict) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def start(cluster_dir: Path, thrift_port: int) -> dict:
    """Start master, workers and Thrift server; return what was started (also in cluster.json)."""
    cluster_dir.mkdir(parents=True, exist_ok=True)
    state_file = cluster_dir / STATE_FILE
    if state_file.exists():
        raise SystemExit(f"error: a cluster is already recorded in {state_file}; stop it first")
    for port in (MASTER_PORT, thrift_port):
        if _port_open(port):
            raise SystemExit(f"error: {HOST}:{port} is already in use")
    warehouse = cluster_dir / "warehouse"
    (warehouse / "tables").mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        SPARK_HOME=str(SPARK_HOME),
        SPARK_LOCAL_IP=HOST,
        SPARK_LOG_DIR=str(cluster_dir),
        PYSPARK_PYTHON=sys.executable,
    )
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    master_url = f"spark://{HOST}:{MASTER_PORT}"
    processes: dict[str, int] = {}

    master_log = cluster_dir / "master.log"
    master = _launch(
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", HOST,
         "--port", str(MASTER_PORT), "--webui-port", "0"],
        master_log, env,
    )  # fmt: skip
    processes["master"] = master.pid
    _write_state(state_file, processes, thrift_port, warehouse)
    _wait_for_port(MASTER_PORT, "master", master, master_log)

    for index in range(1, WORKERS + 1):
        work_dir = cluster_dir / f"worker-{index}"
        work_dir.mkdir(exist_ok=True)
        worker = _launch(
            [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", HOST,
             "--cores", "1", "--memory", WORKER_MEMORY, "--webui-port", "0",
             "--work-dir", str(work_dir), master_url],
            cluster_dir / f"worker-{index}.log", env,
        )  # fmt: skip
        processes[f"worker-{index}"] = worker.pid
        _write_state(state_file, processes, thrift_port, warehouse)

    thrift_log = cluster_dir / "thrift-server.log"
    thrift = _launch(
        [str(SPARK_HOME / "bin" / "spark-submit"),
         "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
         "--master", master_url, "--name", "segmentation-thrift-server",
         "--executor-memory", "1g", "--total-executor-cores", str(WORKERS),
         "--conf", f"spark.sql.warehouse.dir={warehouse / 'tables'}",
         "--conf", "spark.hadoop.javax.jdo.option.ConnectionURL="
                   f"jdbc:derby:;databaseName={warehouse / 'metastore_db'};create=true",
         "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={warehouse}",
         "--conf", "spark.sql.session.timeZone=UTC",
         "--conf", "spark.sql.shuffle.partitions=8",
         "--conf", "spark.ui.enabled=false",
         "--hiveconf", f"hive.server2.thrift.bind.host={HOST}",
         "--hiveconf", f"hive.server2.thrift.port={thrift_port}",
         "spark-internal"],
        thrift_log, env,
    )  # fmt: skip
    processes["thrift-server"] = thrift.pid
    _write_state(state_file, processes, thrift_port, warehouse)
    _wait_for_port(thrift_port, "Thrift server", thrift, thrift_log)
    return json.loads(state_file.read_text())


def _write_state(state_file: Path, processes: dict, thrift_port: int, warehouse: Path) -> None:
    state = {
        "host": HOST,
        "thrift_port": thrift_port,
        "warehouse": str(warehouse),
        "pids": processes,
    }
    state_file.write_text(json.dumps(state, indent=2) + "\n")


def stop(cluster_dir: Path) -> list[str]:
    """Stop every recorded process (Thrift server first), by pid; return their names."""
    state_file = cluster_dir / STATE_FILE
    if not state_file.exists():
        return []
    pids = json.loads(state_file.read_text())["pids"]
    for name in reversed(list(pids)):
        _stop_process(pids[name])
    state_file.unlink()
    return list(pids)


def _stop_process(pid: int, grace_s: float = 20) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)  # each was started in its own session: its group is its pid
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if _gone(pid):
            return
        time.sleep(0.5)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while not _gone(pid):
        time.sleep(0.2)


def _gone(pid: int) -> bool:
    """Whether the process has exited (reaped here when this process started it)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return True
    except ChildProcessError:
        pass  # started by another process (`start` ran earlier): nothing to reap
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir", default=str(PROJECT_ROOT / "spark-cluster"), help="cluster folder")
    parser.add_argument("--port", type=int, default=10000, help="Thrift server port")
    args = parser.parse_args(argv)
    cluster_dir = Path(args.dir).expanduser().resolve()
    if args.action == "start":
        state = start(cluster_dir, args.port)
        print(
            f"Spark cluster on {HOST}: master :{MASTER_PORT}, {WORKERS} workers, Thrift server"
            f" :{state['thrift_port']}; tables in {state['warehouse']}"
        )
        print(
            f"Build through it: make run ENGINE=spark SPARK_METHOD=thrift"
            f" SPARK_PORT={state['thrift_port']} SPARK_WAREHOUSE_DIR={state['warehouse']}"
        )
    else:
        stopped = stop(cluster_dir)
        print(f"Stopped: {', '.join(stopped)}" if stopped else "No cluster recorded there.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
