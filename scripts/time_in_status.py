"""How long each ticket spent in each status, from the synced `ticket_field_history`, computed in DuckDB.

    .venv/bin/python -m scripts.time_in_status              # sync the bundled emulator, then query
    .venv/bin/python -m scripts.time_in_status --records R  # query records already synced (JSONL of RECORD data)

A sync of `ticket_field_history` lands one row per field change; a status holds from its change until the next
status change of the same ticket (or until now). The query is plain SQL over that table, as a dbt model over a
destination would run it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]

TIME_IN_STATUS = """
with status_changes as (
    select ticket_id, value as status, cast(updated as timestamp) as since
    from history
    where field_name = 'status'
),
spells as (
    select ticket_id, status, since,
           coalesce(lead(since) over (partition by ticket_id order by since), cast(? as timestamp)) as until
    from status_changes
)
select ticket_id, status, round(sum(epoch(until) - epoch(since)) / 3600.0, 1) as hours
from spells
group by ticket_id, status
"""

SUMMARY = """
select status, count(distinct ticket_id) as tickets, round(median(hours), 1) as median_hours,
       round(quantile_cont(hours, 0.9), 1) as p90_hours
from time_in_status
where status <> 'closed'  -- the end of a ticket's life, not a wait
group by status
order by median_hours desc
"""


def time_in_status(history_jsonl: Path, now_iso: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding `history` (the synced records) and `time_in_status` (ticket, status, hours)."""
    db = duckdb.connect()
    # `value` holds any JSON (a status string, a tag list, an id): read each record as an object and take it as text.
    db.execute(f"""create table history as
        select cast(json ->> 'ticket_id' as bigint) as ticket_id, json ->> 'field_name' as field_name,
               json ->> 'value' as value, json ->> 'previous_value' as previous_value, json ->> 'updated' as updated,
               cast(json ->> 'user_id' as bigint) as user_id
        from read_ndjson_objects('{history_jsonl}')""")
    db.execute(f"create table time_in_status as {TIME_IN_STATUS}", [now_iso])
    return db


def _sync(out: Path) -> str:
    """Sync tickets' field history from the bundled emulator into `out` (JSONL); returns the emulator's now."""
    from scripts.airbyte_run import configured_catalog, run_source
    from zendesk_emulator.testing import EmulatorProcess

    command = [sys.executable, str(ROOT / "main.py")]
    with EmulatorProcess(seed=1, tickets=2000, plan="unlimited") as emulator:
        env, config = {**os.environ, **emulator.client_env()}, emulator.info["config"]
        discovered = run_source(command, "discover", config=config, env=env)
        catalog = next(m["catalog"] for m in discovered.other if m.get("type") == "CATALOG")
        result = run_source(command, "read", config=config, env=env,
                            catalog=configured_catalog(catalog, ["ticket_field_history"]))
        if result.exit_code != 0:
            raise SystemExit(result.stderr[-3000:])
        out.write_text("".join(json.dumps(r) + "\n" for r in result.records["ticket_field_history"]))
        now = emulator.control("GET", "clock")["now"]
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=Path, help="JSONL of ticket_field_history records (default: sync now)")
    parser.add_argument("--now", help="the end of the open spells (default: the emulator's now, or the newest change)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        records = args.records or Path(tmp) / "ticket_field_history.jsonl"
        now = _sync(records) if args.records is None else args.now
        if now is None:
            now = duckdb.connect().execute(f"select max(updated) from read_json_auto('{records}')").fetchone()[0]
        db = time_in_status(records, str(now))
        print(db.sql(SUMMARY).limit(20))


if __name__ == "__main__":
    main()
