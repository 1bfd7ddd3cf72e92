"""A connection switched from Airbyte's official connector keeps its state: ours continues from it, losing nothing.

official_connector_state.json is the final state airbyte-source-zendesk-support 4.9.1 left after a full sync of an
emulated account (captured with `bench/switch_check.py --save-state ...`, which also runs the whole switch live).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scripts.airbyte_run import STREAMS, configured_catalog, key_of, truth_resource

OFFICIAL_STATE = Path(__file__).parent / "official_connector_state.json"
# Where each stream's position sits in the official state, and which truth field it is compared with.
POSITIONS = {
    "tickets": ("generated_timestamp", "generated_timestamp"),
    "users": ("updated_at", "updated_at"),
    "organizations": ("updated_at", "updated_at"),
    "groups": ("updated_at", "updated_at"),
    "macros": ("updated_at", "updated_at"),
    "ticket_fields": ("updated_at", "updated_at"),
    "ticket_audits": ("created_at", "created_at"),
}


def _unix(value) -> float:
    text = str(value)
    if text.isdigit():
        return float(text)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def _shifted(value, seconds: float):
    """The same instant format (unix digits or ISO) moved by `seconds`."""
    text = str(value)
    moved = _unix(text) + seconds
    if text.isdigit():
        return str(int(moved))
    return datetime.fromtimestamp(moved, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def official_state(emulator) -> list[dict]:
    """The captured state, its instants moved to 60 days before the emulated account's now, formats untouched:
    the account's data is anchored at the time the tests run, the capture is not."""
    state = json.loads(OFFICIAL_STATE.read_text())
    values = [v for s in state for v in s["stream"]["stream_state"].values() if not isinstance(v, bool)]
    now = emulator.control("GET", "clock")["now"]
    offset = now - 60 * 86400 - max(_unix(v) for v in values)
    for entry in state:
        stream_state = entry["stream"]["stream_state"]
        for key, value in stream_state.items():
            if not isinstance(value, bool):
                stream_state[key] = _shifted(value, offset)
    return state


@pytest.fixture(scope="module")
def switched_sync(source, discovered_catalog, official_state):
    result = source("read", catalog=configured_catalog(discovered_catalog, STREAMS), state=official_state)
    return {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in official_state}, result


def test_given_the_official_connectors_state_when_reading_then_no_stream_fails(switched_sync):
    _, result = switched_sync
    assert result.exit_code == 0, result.stderr[-3000:]
    assert result.errors() == []


@pytest.mark.parametrize("stream", sorted(POSITIONS))
def test_given_the_official_connectors_state_then_every_record_changed_since_it_is_emitted(switched_sync, emulator, stream):
    official, result = switched_sync
    state_key, truth_field = POSITIONS[stream]
    since = _unix(official[stream][state_key])
    truth = emulator.control("GET", f"truth/{truth_resource(stream)}")
    expected = {row[key_of(stream)] for row in truth if _unix(row[truth_field]) >= since}
    emitted = {record[key_of(stream)] for record in result.records[stream]}
    assert expected, "the shifted state must leave records to sync"
    assert expected <= emitted
    assert len(result.records[stream]) == len(emitted)


def test_given_the_official_ticket_metrics_state_then_metrics_of_tickets_exported_since_are_emitted(switched_sync, emulator):
    official, result = switched_sync
    since = _unix(official["ticket_metrics"]["_ab_updated_at"])
    tickets = {row["id"]: row["generated_timestamp"] for row in emulator.control("GET", "truth/tickets")}
    metrics = emulator.control("GET", f"truth/{truth_resource('ticket_metrics')}")
    expected = {row["id"] for row in metrics if tickets[row["ticket_id"]] >= since}
    assert expected <= {record["id"] for record in result.records["ticket_metrics"]}


def test_given_the_official_state_then_our_own_state_shapes_come_out(switched_sync):
    _, result = switched_sync
    ours = {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in result.latest_state()}
    assert isinstance(ours["tickets"]["generated_timestamp"], int)
    assert isinstance(ours["ticket_metrics"]["generated_timestamp"], int)
    assert "_ab_updated_at" not in ours["ticket_metrics"]
