"""What the analytics tests share: the analytics venv, bin/analytics as a process, queries of its DuckDB file."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ANALYTICS_PYTHON = ROOT / ".venvs" / "analytics" / "bin" / "python"
TICKETS = 300  # the emulated account of the end-to-end tests (conftest.py)
# The environment pytest started with: the integration tests route the whole process through an emulator's proxy for
# the session (integration_tests/conftest.py, emulator_env), and pip through it gets 403s building the venvs.
STARTUP_ENV = dict(os.environ)


def setup_analytics_venv() -> None:
    """bin/setup-analytics: builds .venvs/analytics on first use (about 20 s), then returns at once."""
    done = subprocess.run([str(ROOT / "bin" / "setup-analytics")], capture_output=True, text=True, timeout=900,
                          env=STARTUP_ENV)
    assert done.returncode == 0, done.stderr[-3000:]


def run_analytics(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """bin/analytics as a user runs it (pytest's process has no DuckDB: the command brings its own venv)."""
    return subprocess.run([str(ROOT / "bin" / "analytics"), *args], capture_output=True, text=True, cwd=ROOT,
                          env={**STARTUP_ENV, **(env or {})}, timeout=timeout)


def query(db: Path, sql: str) -> list[list[Any]]:
    """Rows of a query of a DuckDB file, read with the analytics venv's DuckDB (values as JSON gives them)."""
    script = ("import duckdb, json, sys\n"
              "connection = duckdb.connect(sys.argv[1], read_only=True)\n"
              "print(json.dumps(connection.execute(sys.argv[2]).fetchall(), default=str))\n")
    done = subprocess.run([str(ANALYTICS_PYTHON), "-c", script, str(db), sql], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def run_results(db: Path) -> list[dict[str, Any]]:
    """dbt's results of the last build bin/analytics ran on `db` (its target folder beside the file)."""
    return json.loads((db.with_suffix(".dbt") / "target" / "run_results.json").read_text())["results"]


def dbt(db: Path, *args: str) -> subprocess.CompletedProcess:
    """The analytics venv's dbt on analytics/ and a DuckDB file, its packages installed as bin/analytics does."""
    work = db.with_suffix(".dbt")
    script = ("import subprocess, sys\nfrom analytics.pipeline import dbt\ndbt.install_packages()\n"
              "sys.exit(subprocess.call([str(dbt.DBT), *sys.argv[1:]]))\n")
    command = [str(ANALYTICS_PYTHON), "-c", script, *args, "--project-dir", str(ROOT / "analytics"),
               "--profiles-dir", str(ROOT / "analytics"), "--target-path", str(work / "target"),
               "--log-path", str(work / "logs"), "--no-use-colors"]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env={**os.environ, "ZENDESK_DUCKDB": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
