"""The DuckDB landing keeps each stream's state in the file it lands the records in, written in the same transaction:
a file holds records and their state or neither, so a deleted file is read in full again (a state kept beside the
file would survive it, and the next sync would read incrementally into an empty file). In-process, under a second."""

from __future__ import annotations

import json
from pathlib import Path

from analytics.pipeline.airbyte_duckdb import AirbyteDuckDB, read_state

ACCOUNT = {"subdomain": "acme"}
CATALOG = {"streams": [
    {"stream": {"name": "tickets", "json_schema": {"properties": {"id": {"type": "integer"},
                                                                 "status": {"type": "string"}}}},
     "primary_key": [["id"]], "destination_sync_mode": "append_dedup"},
    {"stream": {"name": "tags", "json_schema": {"properties": {"name": {"type": "string"}}}},
     "primary_key": [["name"]], "destination_sync_mode": "overwrite"},
]}


def _record(stream: str, data: dict) -> str:
    return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1_700_000_000_000}})


def _state(cursor: int) -> dict:
    return {"type": "STREAM", "stream": {"stream_descriptor": {"name": "tickets"},
                                         "stream_state": {"generated_timestamp": cursor}}}


def _land(db: Path, pages: list[tuple[list[dict], int]], complete: bool) -> dict[str, int]:
    landing = AirbyteDuckDB(db, CATALOG)
    try:
        for records, cursor in pages:
            for data in records:
                landing.spool("tickets", _record("tickets", data))
            landing.checkpoint("tickets", _state(cursor))
        landing.spool("tags", _record("tags", {"name": "vip"}))
        return landing.commit(complete=complete, account=ACCOUNT)
    finally:
        landing.close()


def test_given_a_sync_then_its_states_are_saved_in_the_file_with_its_records(tmp_path):
    db = tmp_path / "z.duckdb"
    assert read_state(db) == {}

    loaded = _land(db, [([{"id": 1, "status": "open"}, {"id": 2, "status": "new"}], 100)], complete=True)

    assert loaded == {"tickets": 2, "tags": 1}
    assert read_state(db) == {"account": ACCOUNT, "streams": {"tickets": _state(100)}}
    assert list(tmp_path.iterdir()) == [db]  # nothing beside the file


def test_given_the_file_deleted_after_a_sync_then_the_next_one_finds_no_state(tmp_path):
    db = tmp_path / "z.duckdb"
    _land(db, [([{"id": 1, "status": "open"}], 100)], complete=True)

    db.unlink()

    assert read_state(db) == {}


def test_given_a_sync_that_failed_then_the_file_keeps_the_records_and_state_of_its_last_checkpoint(tmp_path):
    db = tmp_path / "z.duckdb"
    _land(db, [([{"id": 1, "status": "open"}], 100)], complete=True)

    loaded = _land(db, [([{"id": 1, "status": "solved"}], 200), ([{"id": 3, "status": "new"}], 300)], complete=False)
    landing = AirbyteDuckDB(db, CATALOG)
    try:
        rows = landing.connection.execute("select id, status from tickets order by id").fetchall()
    finally:
        landing.close()

    assert loaded == {"tickets": 2}  # a full-refresh stream of a failed sync is left as it was
    assert rows == [(1, "solved"), (3, "new")]
    assert read_state(db)["streams"]["tickets"] == _state(300)
