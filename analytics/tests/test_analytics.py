"""bin/analytics end to end on an emulated account (README "Analytics"): our connector syncs it into DuckDB, Fivetran's
dbt_zendesk 1.6.1 builds over our staging and every model and test of the build passes; no staging model is empty
where the account has the data; after changes in Zendesk, the next run syncs incrementally and shows the changed
tickets' new values. About 60 s (two syncs and two dbt builds of a 300-ticket account), plus about 20 s the first
time for .venvs/analytics.

The dbt packages come from ZENDESK_DBT_PACKAGES or ../shared/dbt_packages beside the repository (no dbt hub here).
"""

from __future__ import annotations

import json
import re

import pytest

from analytics.tests.helpers import ROOT, query, run_analytics, run_results, setup_analytics_venv
from zendesk_emulator.testing import EmulatorProcess

STAGING = ROOT / "analytics" / "models" / "staging"
TICKETS = 300


@pytest.fixture(scope="module")
def account():
    setup_analytics_venv()
    with EmulatorProcess(seed=5, tickets=TICKETS, plan="unlimited") as emu:
        yield emu


def _streams_read_by(model: str) -> set[str]:
    return set(re.findall(r"stage_from_airbyte\('(\w+)'", (STAGING / f"{model}.sql").read_text()))


def _counts(db, schema: str, prefix: str) -> dict[str, int]:
    tables = [name for (name,) in query(db, f"select table_name from information_schema.tables "
                                            f"where table_schema = '{schema}' and table_name like '{prefix}%'")]
    union = " union all ".join(f"select '{t}', count(*) from {schema}.{t}" for t in tables)
    return {name: count for name, count in query(db, union)}


def test_given_an_emulated_account_when_analytics_runs_twice_then_dbt_zendesk_builds_and_follows_the_changes(
    account, tmp_path
):
    db = tmp_path / "zendesk.duckdb"
    config = tmp_path / "config.json"
    config.write_text(json.dumps(account.info["oauth_access_config"]))
    env = account.client_env()

    first = run_analytics("--config", str(config), "--db", str(db), env=env)

    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "Traceback" not in first.stdout + first.stderr
    assert "[4/4] Report" in first.stdout and "full sync" in first.stdout
    assert re.search(rf"Tickets: {TICKETS:,}", first.stdout), first.stdout[-2000:]
    assert (tmp_path / "zendesk.html").read_text().count("plotly") > 10  # the charts, their library embedded

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
    assert len(ours) == 20, sorted(ours)
    for model, rows in ours.items():
        streams = _streams_read_by(model)
        if all(synced.get(stream) for stream in streams):
            assert rows > 0, f"{model} is empty although {streams} have rows"
            package_model = model.replace("stg_airbyte__", "stg_zendesk__")
            assert theirs.get(package_model, 0) > 0, f"{package_model} is empty over {model} ({rows} rows)"
    empty = sorted(model for model, rows in ours.items() if rows == 0)
    not_synced = {model for model in ours if not all(s in synced for s in _streams_read_by(model))}
    assert set(empty) <= not_synced, empty

    metrics = query(db, "select count(*), count(distinct ticket_id) from main_zendesk.zendesk__ticket_metrics")
    assert metrics == [[TICKETS, TICKETS]]
    breaches = dict(query(db, "select is_sla_breach, count(*) from main_zendesk.zendesk__sla_policies "
                              "where is_sla_breach is not null group by 1"))
    assert breaches.get(True) and breaches.get(False), breaches

    # Zendesk changes: tickets updated (a reply, a status or priority change...), created and deleted.
    changes = account.control("POST", "mutate", json={"resource": "tickets", "create": 5, "update": 15, "delete": 2})
    account.control("POST", "clock/advance", json={"seconds": 120})  # past the minute Zendesk's exports hold back
    session, auth = account.session(), account.api_token_auth()
    now = {}
    for ticket_id in changes["updated"] + changes["deleted"]:
        ticket = session.get(account.url(f"tickets/{ticket_id}.json"), auth=auth, timeout=30)
        now[ticket_id] = ticket.json()["ticket"] if ticket.status_code == 200 else {"status": "deleted"}

    second = run_analytics("--config", str(config), "--db", str(db), env=env)

    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "incremental sync" in second.stdout
    synced_now = int(re.search(r"incremental sync: ([\d,]+) records", second.stdout).group(1).replace(",", ""))
    assert 0 < synced_now < sum(synced.values()) // 10
    incremental = [r for r in run_results(db) if r["unique_id"].endswith("int_zendesk__field_history_pivot")]
    assert incremental and incremental[0]["status"] == "success"
    rows = {row[0]: row[1:] for row in query(
        db, "select ticket_id, status, priority, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') "
            "from main_zendesk.zendesk__ticket_enriched")}
    assert len(rows) == TICKETS + 5
    assert all(ticket_id in rows for ticket_id in changes["created"])
    for ticket_id, ticket in now.items():
        if ticket["status"] == "deleted":
            assert rows[ticket_id][0] == "deleted"
        else:
            assert rows[ticket_id] == [ticket["status"], ticket["priority"], ticket["updated_at"]], ticket_id
