"""The same dbt build and checks on Postgres (issue 17: Fivetran tests dbt_zendesk there): the tables of the end-to-end
tests' first sync (conftest.py), copied into the embedded Postgres of PyPI's `pgserver` as Airbyte's Postgres
destination lays them out, build every model and test of the project, and the package's numbers there (rows, first
reply and resolution minutes in calendar and business time, SLA outcomes, the summary) equal those of the same
build on DuckDB (a full build of a copy: the other tests build incrementally on the file). About 75 s,
plus the Postgres packages in the analytics venv the first time (bin/setup-analytics --postgres, built in the
background by bin/test)."""

from __future__ import annotations

import json
import shutil
import subprocess

from analytics.tests.helpers import ANALYTICS_PYTHON, ROOT, STARTUP_ENV, dbt


def test_given_the_tables_in_postgres_then_the_build_passes_and_its_numbers_are_duckdbs(first_run, tmp_path):
    setup = subprocess.run([str(ROOT / "bin" / "setup-analytics"), "--postgres"], capture_output=True, text=True,
                           timeout=900, env=STARTUP_ENV)
    assert setup.returncode == 0, setup.stderr[-3000:]
    # The other tests sync and build incrementally on the first run's file: a copy, built in full as Postgres will be.
    db = tmp_path / "zendesk.duckdb"
    shutil.copy(first_run[1], db)
    rebuilt = dbt(db, "build", "--full-refresh")
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]

    done = subprocess.run([str(ANALYTICS_PYTHON), "-m", "analytics.tests.on_postgres", str(db), str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=900, env=STARTUP_ENV)

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["copied"]["tickets"] > 0 and result["copied"]["ticket_comments"] > 0
    assert result["dbt_exit"] == 0, result["dbt_tail"]
    assert "ERROR=0" in result["dbt_tail"] and "WARN=0" in result["dbt_tail"]
    differ = {name: rows for name, rows in result["compared"].items() if rows["postgres"] != rows["duckdb"]}
    assert not differ, differ
    assert result["compared"]["ticket_metrics rows"]["postgres"][0][0] > 0
    outcomes = {metric: (breached, achieved) for metric, breached, achieved
                in result["compared"]["sla outcomes"]["postgres"]}
    assert outcomes and all(breached + achieved > 0 for breached, achieved in outcomes.values())
