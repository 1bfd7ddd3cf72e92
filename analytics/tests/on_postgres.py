"""The dbt project on Postgres, run by the analytics venv (bin/setup-analytics --postgres) for test_postgres.py:

    python -m analytics.tests.on_postgres DUCKDB_FILE WORK_FOLDER

Starts the embedded Postgres of PyPI's `pgserver` in WORK_FOLDER, copies the synced tables of DUCKDB_FILE into its
schema `zendesk` as Airbyte's Postgres destination lays them out (objects and arrays as jsonb, times as `timestamp
with time zone`, a property of several types as jsonb), runs `dbt build --target postgres` on them, and prints one
JSON object: dbt's exit code and the end of its output, and for each comparison query its rows on Postgres and on
the DuckDB file's own build (schema main_zendesk), so the test can say they agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import duckdb
import pgserver
import psycopg2
from psycopg2.extras import Json, execute_values

from analytics.pipeline import dbt

SCHEMA = "zendesk"  # where the copied tables go: what `airbyte_schema` points the staging models at
# The destination types a DuckDB column (PyAirbyte's layout) becomes; anything else is varchar.
TYPES = {"BIGINT": "bigint", "INTEGER": "bigint", "DOUBLE": "numeric", "VARCHAR": "varchar", "BOOLEAN": "boolean",
         "DATE": "date", "TIMESTAMP": "timestamp with time zone", "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
         "JSON": "jsonb"}
# Properties whose schema allows several types: the Postgres destination keeps them as jsonb (PyAirbyte: varchar).
SEVERAL_TYPES = {"ticket_field_history": {"value", "previous_value"}, "tickets": {"satisfaction_rating"}}

# What must agree, model by model: rows, summed minutes, SLA outcomes.
COMPARED = {
    "ticket_metrics rows": "select count(*) from {s}.zendesk__ticket_metrics",
    "first reply minutes": "select sum(first_reply_time_calendar_minutes), sum(first_reply_time_business_minutes) "
                           "from {s}.zendesk__ticket_metrics",
    "resolution minutes": "select sum(final_resolution_calendar_minutes), sum(full_resolution_business_minutes) "
                          "from {s}.zendesk__ticket_metrics",
    "sla outcomes": "select metric, sum(case when is_sla_breach then 1 else 0 end), "
                    "sum(case when is_sla_breach then 0 else 1 end) from {s}.zendesk__sla_policies group by 1 order by 1",
    "ticket_enriched rows": "select count(*) from {s}.zendesk__ticket_enriched",
    "ticket_summary": "select * from {s}.zendesk__ticket_summary",
    "backlog rows": "select count(*) from {s}.zendesk__ticket_backlog",
    "field_history rows": "select count(*) from {s}.zendesk__ticket_field_history",
}


def copy_tables(source: duckdb.DuckDBPyConnection, target: Any) -> dict[str, int]:
    """Every synced table (not the loader's own `_`-tables) into SCHEMA; returns rows per table."""
    cursor = target.cursor()
    cursor.execute(f"drop schema if exists {SCHEMA} cascade; create schema {SCHEMA}")
    tables = [name for (name,) in source.execute(
        "select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE' "
        "order by 1").fetchall() if not name.startswith("_")]
    copied = {}
    for table in tables:
        columns = source.execute("select column_name, data_type from information_schema.columns where table_schema "
                                 "= 'main' and table_name = ? order by ordinal_position", [table]).fetchall()
        several = SEVERAL_TYPES.get(table, set())
        typed = [(name, "jsonb" if name in several else TYPES.get(kind, "varchar")) for name, kind in columns]
        cursor.execute(f'create table {SCHEMA}."{table}" (' + ", ".join(f'"{n}" {k}' for n, k in typed) + ")")
        rows = [tuple(_value(v, kind, name in several) for v, (name, kind) in zip(row, typed, strict=True))
                for row in source.execute(f'select * from main."{table}"').fetchall()]
        if rows:
            execute_values(cursor, f'insert into {SCHEMA}."{table}" values %s', rows, page_size=2000)
        copied[table] = len(rows)
    return copied


def _value(value: Any, kind: str, several_types: bool) -> Any:
    if value is None or kind != "jsonb":
        return value.isoformat() + "+00:00" if kind.startswith("timestamp") and value is not None \
            and value.tzinfo is None else value
    if several_types:  # a scalar of one of several types: kept as its JSON value
        try:
            return Json(json.loads(value))
        except ValueError:
            return Json(value)
    return Json(json.loads(value))


def _plain(rows: list[tuple], names: list[str]) -> list[list[Any]]:
    """Rows both databases can be compared by: numbers to 4 decimals, everything else as text, without
    `source_relation` (the package's name of the database and schema a row came from)."""
    return [[round(float(v), 4) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else
             (None if v is None else str(v)) for v, name in zip(row, names, strict=True) if name != "source_relation"]
            for row in rows]


def main(db_file: Path, work: Path) -> dict[str, Any]:
    server = pgserver.get_server(work / "pgdata", cleanup_mode="stop")
    uri = urlparse(server.get_uri())
    host = parse_qs(uri.query).get("host", [uri.hostname or "localhost"])[0]
    connection = psycopg2.connect(server.get_uri())
    connection.autocommit = True
    source = duckdb.connect(str(db_file), read_only=True)
    copied = copy_tables(source, connection)

    dbt.install_packages()
    env = {**os.environ, "ZENDESK_PG_HOST": host, "ZENDESK_PG_PORT": str(uri.port or 5432),
           "ZENDESK_PG_USER": uri.username or "postgres", "ZENDESK_PG_SCHEMA": "analytics",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    built = subprocess.run(
        [str(dbt.DBT), "build", "--target", "postgres", "--vars", json.dumps({"airbyte_schema": SCHEMA}),
         "--project-dir", str(dbt.PROJECT), "--profiles-dir", str(dbt.PROJECT), "--target-path",
         str(work / "target"), "--log-path", str(work / "logs"), "--no-use-colors"],
        capture_output=True, text=True, env=env)
    compared = {}
    if built.returncode == 0:
        cursor = connection.cursor()
        for name, sql in COMPARED.items():
            cursor.execute(sql.format(s="analytics_zendesk"))
            on_postgres = _plain(cursor.fetchall(), [column.name for column in cursor.description])
            on_duckdb = source.execute(sql.format(s="main_zendesk"))
            compared[name] = {"postgres": on_postgres,
                              "duckdb": _plain(on_duckdb.fetchall(), [column[0] for column in on_duckdb.description])}
    connection.close()
    server.cleanup()
    return {"copied": copied, "dbt_exit": built.returncode, "dbt_tail": built.stdout[-4000:] + built.stderr[-2000:],
            "compared": compared}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
