"""Item 6, hostile state, through the real entrypoint: state files that are malformed, future-dated or written by
another connector. Each is migrated (and the sync resumes where that state says) or refused with a config error
that says what to do; never a crash, a stack trace, or a silent read from the start date.
"""

from __future__ import annotations

import json
import statistics
import time

import pytest

from source_zendesk_support.state import EXPORT_MIN_AGE_SECONDS, to_unix
from zendesk_emulator.testing import EmulatorProcess

from .harness import ROOT, catalog_for, connector_env, count, run_connector, truth_resource

pytestmark = pytest.mark.reliability

INCREMENTAL = [
    "tickets",
    "users",
    "organizations",
    "groups",
    "macros",
    "ticket_fields",
    "ticket_metrics",
    "ticket_audits",
]


@pytest.fixture(scope="module")
def emulator():
    with EmulatorProcess(seed=83, tickets=400, plan="unlimited") as emu:
        yield emu


@pytest.fixture(scope="module")
def catalog(discovered):
    return catalog_for(discovered, INCREMENTAL)


def _stream_state(name: str, state) -> dict:
    return {"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": state}}


def _assert_clean_config_error(run, says: str) -> None:
    assert run.exit_code == 1, run.describe()
    errors = run.errors()
    assert errors and all(e["failure_type"] == "config_error" for e in errors), run.describe()
    assert says in errors[0]["message"], errors[0]["message"]
    assert "Traceback" not in run.stdout + run.stderr and not any(e.get("stack_trace") for e in errors)


MALFORMED_FILES = {
    "not json": b"{'tickets': 1",
    "a string": b'"yesterday"',
    "a list of numbers": b"[1, 2, 3]",
    "a message without a stream": b'[{"type": "STREAM"}]',
    "a stream state that is a string": json.dumps([_stream_state("tickets", "abc")]).encode(),
    "an unknown message type": b'[{"type": "RECORD", "record": {}}]',
}


@pytest.mark.parametrize("content", MALFORMED_FILES.values(), ids=MALFORMED_FILES.keys())
def test_given_a_malformed_state_file_then_a_config_error_saying_to_reset_and_no_request(emulator, catalog, content):
    before = emulator.control("GET", "stats")["requests_total"]

    run = run_connector(
        "read", connector_env(emulator), config=emulator.info["config"], catalog=catalog, raw_state=content
    )

    _assert_clean_config_error(run, "The saved state cannot be used")
    assert "Reset the connection" in run.errors()[0]["message"]
    assert run.of_type("RECORD") == []
    assert emulator.control("GET", "stats")["requests_total"] == before
    count("hostile state", malformed_refused=1)


@pytest.mark.parametrize(
    "stream, state",
    [
        ("tickets", {"generated_timestamp": "yesterday"}),
        ("users", {"cursor": "MTcwMDAwMDAwMC4wfHw0NTF8"}),
        ("ticket_audits", {"created_at": "2024-01-01T00:00:00Z", "_walk": {"before_url": "https://evil.example/x"}}),
        ("macros", {"updated_at": 10**20}),
    ],
)
def test_given_a_malformed_stream_state_then_that_stream_fails_with_a_message_naming_it(
    emulator, catalog, stream, state
):
    run = run_connector(
        "read", connector_env(emulator), config=emulator.info["config"], catalog=catalog,
        state=[_stream_state(stream, state)],
    )  # fmt: skip

    errors = [e for e in run.errors() if f"The saved state of stream '{stream}' cannot be used" in e["message"]]
    assert errors and errors[0]["failure_type"] == "config_error", run.describe()
    assert "Reset this stream" in errors[0]["message"]
    assert run.records(stream) == []
    assert "Traceback" not in run.stderr
    count("hostile state", malformed_stream_states_refused=1)


def test_given_a_future_dated_state_then_each_stream_warns_and_reads_nothing_older(emulator, catalog):
    future = json.loads((ROOT / "integration_tests" / "abnormal_state.json").read_text())
    started = time.time()

    run = run_connector("read", connector_env(emulator), config=emulator.info["config"], catalog=catalog, state=future)

    assert run.exit_code == 0 and not run.errors(), run.describe()
    warned = {s for s in INCREMENTAL if any(f"'{s}' lies in the future" in w for w in run.logs("WARN"))}
    assert warned == set(INCREMENTAL)
    # Lists and audits are filtered here: nothing. The exports never start later than five minutes ago (Zendesk
    # refuses a younger start_time), so they may bring the last five minutes again, never anything older.
    recent = started - 2 * EXPORT_MIN_AGE_SECONDS
    assert {m["record"]["stream"] for m in run.of_type("RECORD")} <= {
        "tickets",
        "users",
        "organizations",
        "ticket_metrics",
    }
    assert all(t["generated_timestamp"] >= recent for t in run.records("tickets"))
    assert all(to_unix(r["updated_at"]) >= recent for s in ("users", "organizations") for r in run.records(s))
    count("hostile state", future_dated_warned=len(warned))


def _midpoint(emulator, stream: str, field: str) -> str | int:
    values = sorted(row[field] for row in emulator.control("GET", f"truth/{truth_resource(stream)}"))
    return values[len(values) // 2] if isinstance(values[0], str) else int(statistics.median(values))


@pytest.mark.parametrize("shape", ["legacy object", "Singer bookmarks", "GLOBAL", "official connector"])
def test_given_another_connectors_state_shape_then_it_is_migrated_and_the_sync_resumes_there(emulator, catalog, shape):
    ticket_mid = _midpoint(emulator, "tickets", "generated_timestamp")
    user_mid = _midpoint(emulator, "users", "updated_at")
    states = {"tickets": {"generated_timestamp": str(ticket_mid)}, "users": {"updated_at": user_mid}}
    raw = {
        "legacy object": states,
        "Singer bookmarks": {"bookmarks": states, "currently_syncing": None},
        "GLOBAL": [{"type": "GLOBAL", "global": {"shared_state": {"cursor": 1}, "stream_states": [
            {"stream_descriptor": {"name": n}, "stream_state": s} for n, s in states.items()]}}],
        "official connector": [_stream_state("tickets", {"generated_timestamp": str(ticket_mid)}),
                               _stream_state("ticket_metrics", {"_ab_updated_at": ticket_mid}),
                               _stream_state("users", {"updated_at": user_mid})],
    }[shape]  # fmt: skip

    run = run_connector("read", connector_env(emulator), config=emulator.info["config"], catalog=catalog, state=raw)

    assert run.exit_code == 0 and not run.errors(), run.describe()
    tickets, users = run.records("tickets"), run.records("users")
    # Resumed where the state said: only the newer half, not a silent full resync.
    assert tickets and all(t["generated_timestamp"] >= ticket_mid for t in tickets)
    assert users and all(u["updated_at"] >= user_mid for u in users)
    if shape == "official connector":
        assert run.records("ticket_metrics") and len(run.records("ticket_metrics")) <= len(tickets)
    count("hostile state", foreign_shapes_migrated=1)
