"""Full and incremental syncs of all ten streams through the real entrypoint, checked against the emulator's truth."""

from __future__ import annotations

import jsonschema
import pytest

from scripts.airbyte_run import STREAMS, TRUTH_FIELDS, configured_catalog, key_of, truth_resource


def truth(emulator, stream: str) -> list[dict]:
    return emulator.control("GET", f"truth/{truth_resource(stream)}")


def projection(rows: list[dict], stream: str) -> dict:
    key = key_of(stream)
    return {row[key]: tuple(row.get(f) for f in TRUTH_FIELDS[stream]) for row in rows}


@pytest.fixture(scope="module")
def catalog(discovered_catalog):
    return configured_catalog(discovered_catalog, STREAMS)


@pytest.fixture(scope="module")
def full_sync(source, catalog, emulator):
    emulator.control("POST", "stats/reset")
    result = source("read", catalog=catalog)
    assert result.exit_code == 0, result.stderr[-3000:]
    return result, emulator.control("GET", "stats")


@pytest.mark.parametrize("stream", STREAMS)
def test_given_the_account_when_a_full_sync_runs_then_each_stream_equals_the_ground_truth(full_sync, emulator, stream):
    result, _ = full_sync
    expected = projection(truth(emulator, stream), stream)
    emitted = projection(result.records[stream], stream)
    assert len(result.records[stream]) == len(emitted), "no record may be emitted twice within a sync"
    assert emitted.keys() == expected.keys()
    assert emitted == expected


def test_given_a_full_sync_then_every_record_validates_against_its_discovered_schema(full_sync, discovered_catalog):
    result, _ = full_sync
    schemas = {s["name"]: s["json_schema"] for s in discovered_catalog["streams"]}
    for stream in STREAMS:
        validator = jsonschema.Draft7Validator(schemas[stream])
        for record in result.records[stream]:
            errors = list(validator.iter_errors(record))
            assert not errors, f"{stream} {record.get(key_of(stream))}: {errors[0].message} at {list(errors[0].path)}"


def test_given_a_full_sync_then_no_request_is_made_per_record(full_sync, emulator):
    _, stats = full_sync
    per_record_paths = [path for path in stats["by_endpoint"] if "/tickets/" in path and path.split("/tickets/")[1][:1].isdigit()]
    assert per_record_paths == []
    # Every request is a page: far fewer requests than records.
    result, _ = full_sync
    assert stats["requests_total"] < sum(result.counts().values()) / 20


def test_given_a_full_sync_then_a_state_is_emitted_for_every_incremental_stream(full_sync, catalog):
    result, _ = full_sync
    incremental = {c["stream"]["name"] for c in catalog["streams"] if c["sync_mode"] == "incremental"}
    assert {s["stream"]["stream_descriptor"]["name"] for s in result.latest_state()} >= incremental


def test_given_changes_after_a_sync_when_the_next_incremental_sync_runs_then_it_emits_them_and_little_else(
    source, catalog, emulator, full_sync
):
    first, _ = full_sync
    before = {stream: projection(truth(emulator, stream), stream) for stream in STREAMS}
    for resource, change in {
        "tickets": {"create": 12, "update": 30, "delete": 2},
        "users": {"create": 5, "update": 8, "delete": 1},
        "organizations": {"create": 3, "update": 6, "delete": 0},
        "groups": {"create": 1, "update": 1, "delete": 1},
        "macros": {"create": 1, "update": 2, "delete": 0},
        "ticket_fields": {"create": 1, "update": 1, "delete": 0},
    }.items():
        emulator.control("POST", "mutate", json={"resource": resource, **change})
    emulator.control("POST", "clock/advance", json={"seconds": 120})  # out of the minute exports hold back
    after = {stream: projection(truth(emulator, stream), stream) for stream in STREAMS}

    second = source("read", catalog=catalog, state=first.latest_state())
    assert second.exit_code == 0, second.stderr[-3000:]

    modes = {c["stream"]["name"]: c["sync_mode"] for c in catalog["streams"]}
    for stream in STREAMS:
        emitted = projection(second.records[stream], stream)
        changed = {key for key, value in after[stream].items() if before[stream].get(key) != value}
        assert len(second.records[stream]) == len(emitted), f"{stream}: a record emitted twice"
        assert changed <= emitted.keys(), f"{stream}: changes not synced: {sorted(changed - emitted.keys())[:5]}"
        assert {key: after[stream][key] for key in changed} == {key: emitted[key] for key in changed}
        if modes[stream] == "incremental":
            # Unchanged records come back only from the boundary second the previous state pointed at.
            unchanged = len(emitted.keys() - changed)
            assert unchanged <= max(10, len(changed)), f"{stream}: {unchanged} unchanged records re-emitted"
