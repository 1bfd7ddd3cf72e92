"""bin/analytics end to end on an emulated account (README "Analytics"): our connector syncs it into DuckDB, Fivetran's
dbt_zendesk 1.6.1 builds over our staging and every model and test of the build passes; no staging model is empty
where the account has the data; after changes in Zendesk, the next run syncs incrementally (from the OAuth refresh
token the first run saved, Zendesk rotating it) and shows the changed tickets' new values; a stream that was not synced leaves its staging empty, typed alike, with a warning. About 75 s
(two syncs and two dbt builds of a 300-ticket account, and a build of the staging alone), plus about 20 s the first
time for .venvs/analytics.

The dbt packages come from ZENDESK_DBT_PACKAGES or ../shared/dbt_packages beside the repository (no dbt hub here).
"""

from __future__ import annotations

import json
import re

from analytics.pipeline.passthrough import VARS, passthrough_vars
from analytics.tests.helpers import TICKETS, dbt, query, run_analytics, run_results


def _streams_read_by(db) -> dict[str, set[str]]:
    """Our staging models and the Airbyte tables each reads (dbt's manifest of the last build on `db`)."""
    manifest = json.loads((db.with_suffix(".dbt") / "target" / "manifest.json").read_text())
    return {node["name"]: {table for source, table in node["sources"] if source == "airbyte"}
            for node in manifest["nodes"].values() if node["name"].startswith("stg_airbyte__")}


def _counts(db, schema: str, prefix: str) -> dict[str, int]:
    tables = [name for (name,) in query(db, f"select table_name from information_schema.tables "
                                            f"where table_schema = '{schema}' and table_name like '{prefix}%'")]
    union = " union all ".join(f"select '{t}', count(*) from {schema}.{t}" for t in tables)
    return {name: count for name, count in query(db, union)}


def _columns(db, schema: str) -> dict[str, list[list[str]]]:
    columns: dict[str, list[list[str]]] = {}
    for table, column, kind in query(db, "select table_name, column_name, data_type from information_schema.columns "
                                         f"where table_schema = '{schema}' order by table_name, ordinal_position"):
        columns.setdefault(table, []).append([column, kind])
    return columns


def _passed_through(db) -> dict[str, list[str]]:
    """stream -> the custom field columns of its synced table, which bin/analytics passes through dbt_zendesk."""
    tables = {table: [(column, kind) for column, kind in columns] for table, columns in _columns(db, "main").items()}
    found = passthrough_vars(tables)
    return {stream: [column["name"] for column in found[name]] for stream, name in VARS.items()}


def test_given_an_emulated_account_when_analytics_runs_then_every_model_and_test_of_dbt_zendesk_passes(first_run):
    done, db, _ = first_run

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert "[4/4] Report" in done.stdout and "full sync" in done.stdout
    assert f"Tickets: {TICKETS:,}" in done.stdout, done.stdout[-2000:]
    assert db.with_suffix(".html").read_text().count("plotly") > 10  # the charts, their library embedded

    # Every node dbt built or tested succeeded, and every enabled model of the project and the package was built.
    results = run_results(db)
    assert {r["status"] for r in results} <= {"success", "pass"}, [
        (r["unique_id"], r["status"], r["message"]) for r in results if r["status"] not in ("success", "pass")]
    manifest = json.loads((db.with_suffix(".dbt") / "target" / "manifest.json").read_text())
    models = {uid for uid, node in manifest["nodes"].items()
              if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"}
    assert models == {r["unique_id"] for r in results if r["unique_id"].startswith("model.")}
    assert sum(r["unique_id"].startswith("test.") for r in results) >= 10

    # No staging model is empty when the streams it reads have rows; the package's staging over it neither.
    synced = _counts(db, "main", "")
    ours = _counts(db, "main_airbyte_staging", "stg_airbyte__")
    theirs = _counts(db, "main_zendesk_source", "stg_zendesk__")
    reads = _streams_read_by(db)
    assert set(ours) == set(reads) and len(ours) >= 19, sorted(ours)
    for model, rows in ours.items():
        if any(synced.get(stream) for stream in reads[model]) or not reads[model]:  # the seeds read no stream
            assert rows > 0, f"{model} is empty although {reads[model]} have rows"
            package_model = model.replace("stg_airbyte__", "stg_zendesk__")
            assert theirs.get(package_model, 0) > 0, f"{package_model} is empty over {model} ({rows} rows)"

    assert query(db, "select count(*), count(distinct ticket_id) from main_zendesk.zendesk__ticket_metrics") == [
        [TICKETS, TICKETS]]
    breaches = dict(query(db, "select is_sla_breach, count(*) from main_zendesk.zendesk__sla_policies "
                              "where is_sla_breach is not null group by 1"))
    assert breaches.get(True) and breaches.get(False), breaches

    # The custom field columns (one per field of the emulated account) reach the package's models with their values
    # and types: tickets' in zendesk__ticket_enriched, users' and organizations' in the package's staging.
    custom = _passed_through(db)
    assert len(custom["tickets"]) >= 10 and len(custom["users"]) >= 5 and len(custom["organizations"]) >= 5, custom
    synced_types = {(table, column): kind for table, columns in _columns(db, "main").items() for column, kind in columns}
    models = _columns(db, "main_zendesk") | _columns(db, "main_zendesk_source")
    for stream, model in (("tickets", "zendesk__ticket_enriched"), ("users", "stg_zendesk__user"),
                          ("organizations", "stg_zendesk__organization")):
        typed = dict(map(tuple, models[model]))
        assert {c: typed.get(c) for c in custom[stream]} == {c: synced_types[stream, c] for c in custom[stream]}, model
    columns = custom["tickets"]
    (row,) = query(db, "select count(*), " + ", ".join(f"count(e.{c})" for c in columns) + ", "
                   + ", ".join(f"count(*) filter (where e.{c} is distinct from t.{c})" for c in columns)
                   + " from main_zendesk.zendesk__ticket_enriched as e join main.tickets as t on t.id = e.ticket_id")
    filled, differing = row[1:1 + len(columns)], row[1 + len(columns):]
    assert row[0] == TICKETS and all(filled), dict(zip(columns, filled, strict=True))  # each column holds values
    assert differing == [0] * len(columns), dict(zip(columns, differing, strict=True))  # the synced table's values


def test_given_changes_in_zendesk_when_analytics_runs_again_then_it_syncs_incrementally_and_shows_the_new_values(
    account, first_run
):
    done, db, config = first_run
    assert done.returncode == 0, done.stderr[-2000:]
    synced_first = sum(_counts(db, "main", "").values())
    changes = account.control("POST", "mutate", json={"resource": "tickets", "create": 5, "update": 15, "delete": 2})
    account.control("POST", "clock/advance", json={"seconds": 120})  # past the minute Zendesk's exports hold back
    session, auth = account.session(), account.api_token_auth()
    now = {}
    for ticket_id in changes["updated"]:
        now[ticket_id] = session.get(account.url(f"tickets/{ticket_id}.json"), auth=auth, timeout=30).json()["ticket"]

    rotated = json.loads(config.read_text())["credentials"]["refresh_token"]
    assert rotated != account.info["oauth_config"]["credentials"]["refresh_token"]  # the first run saved the new one

    again = run_analytics("--config", str(config), "--db", str(db), env=account.client_env())

    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    records = int(re.search(r"incremental sync: ([\d,]+) records", again.stdout).group(1).replace(",", ""))
    assert 0 < records < synced_first // 10
    assert [r["status"] for r in run_results(db) if r["unique_id"].endswith(".int_zendesk__field_history_pivot")] == [
        "success"]
    rows = {row[0]: row[1:] for row in query(
        db, "select ticket_id, status, priority, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') "
            "from main_zendesk.zendesk__ticket_enriched")}
    assert len(rows) == TICKETS + len(changes["created"])
    assert all(ticket_id in rows for ticket_id in changes["created"])
    assert all(rows[ticket_id][0] == "deleted" for ticket_id in changes["deleted"])
    for ticket_id, ticket in now.items():
        assert rows[ticket_id] == [ticket["status"], ticket["priority"], ticket["updated_at"]], ticket_id


def test_given_streams_not_synced_when_the_staging_builds_then_it_is_empty_typed_alike_and_says_which(
    first_run, tmp_path
):
    _, synced_db, _ = first_run
    empty_db = tmp_path / "nothing.duckdb"

    done = dbt(empty_db, "build", "--select", "path:models/staging", "path:seeds")

    assert done.returncode == 0, done.stdout[-3000:]
    for stream in ("tickets", "ticket_comments", "users", "organizations", "schedules", "audit_logs"):
        assert f"the Airbyte stream '{stream}'" in done.stdout and f"Sync the stream '{stream}'" in done.stdout
    counts = _counts(empty_db, "main_airbyte_staging", "stg_airbyte__")
    seeded = {"stg_airbyte__time_zone", "stg_airbyte__daylight_time"}  # the time zone seeds: no stream
    assert len(counts) >= 19 and {m: c for m, c in counts.items() if c and m not in seeded} == {}
    # Alike but for the custom field columns, which only a synced table has (bin/analytics passes them through).
    custom = _passed_through(synced_db)
    passed = {"stg_airbyte__ticket": custom["tickets"], "stg_airbyte__user": custom["users"],
              "stg_airbyte__organization": custom["organizations"]}
    synced_staging = {model: [c for c in columns if c[0] not in passed.get(model, [])]
                      for model, columns in _columns(synced_db, "main_airbyte_staging").items()}
    assert all(passed.values()) and _columns(empty_db, "main_airbyte_staging") == synced_staging
