"""Hostile state: malformed, future-dated or foreign. Migrated when it can be read unambiguously, otherwise a config
error that names the problem; never a crash, never a silent full resync."""

from __future__ import annotations

import json
import math

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from source_zendesk_support.config import parse_config
from source_zendesk_support.state import to_unix
from source_zendesk_support.state_file import per_stream_messages, read_state_file
from source_zendesk_support.streams import STREAMS

from .harness import NOW_TS, START, api_token_config, error_traces, read, records_of, warnings
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskRequest, ZendeskResponse

FUTURE = 4102444800  # 2100-01-01
TICKETS = {"generated_timestamp": 1700000000}


def _stream_message(name: str, state: dict) -> dict:
    return {"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": state}}


ACCEPTED = {
    "per-stream list": ([_stream_message("tickets", TICKETS)], {"tickets": TICKETS}),
    "one message, not in a list": (_stream_message("tickets", TICKETS), {"tickets": TICKETS}),
    "legacy object": ({"tickets": TICKETS, "users": {"updated_at": "2024-01-01T00:00:00Z"}},
                      {"tickets": TICKETS, "users": {"updated_at": "2024-01-01T00:00:00Z"}}),
    "LEGACY message": ([{"type": "LEGACY", "data": {"tickets": TICKETS}}], {"tickets": TICKETS}),
    "GLOBAL message": ([{"type": "GLOBAL", "global": {"shared_state": {"x": 1}, "stream_states": [
        {"stream_descriptor": {"name": "tickets"}, "stream_state": TICKETS}]}}], {"tickets": TICKETS}),
    "Singer bookmarks": ({"bookmarks": {"tickets": TICKETS}, "currently_syncing": None}, {"tickets": TICKETS}),
    "null stream state": ([_stream_message("tickets", None)], {"tickets": {}}),
    "null": (None, {}),
    "empty list": ([], {}),
}  # fmt: skip


@pytest.mark.parametrize("raw, expected", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_given_a_readable_state_shape_when_read_then_it_becomes_per_stream_states(raw, expected, tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(raw))

    messages = read_state_file(str(path))

    assert {m.stream.stream_descriptor.name: m.stream.stream_state.__dict__ for m in messages} == expected


REJECTED = {
    "a string": "abc",
    "a number": 5,
    "a list of numbers": [1, 2],
    "unknown message type": [{"type": "RECORD", "record": {}}],
    "no descriptor": [{"type": "STREAM", "stream": {}}],
    "descriptor without name": [{"type": "STREAM", "stream": {"stream_descriptor": {}}}],
    "stream state is a string": [_stream_message("tickets", "abc")],  # type: ignore[arg-type]
    "stream state is a list": [_stream_message("tickets", [1])],  # type: ignore[arg-type]
    "legacy object of strings": {"tickets": "yesterday"},
    "GLOBAL without stream_states": [{"type": "GLOBAL", "global": {"shared_state": {}}}],
}


@pytest.mark.parametrize("raw", REJECTED.values(), ids=REJECTED.keys())
def test_given_an_unreadable_state_shape_when_read_then_a_config_error_says_to_reset(raw, tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(raw))

    with pytest.raises(AirbyteTracedException) as error:
        read_state_file(str(path))

    assert error.value.failure_type == FailureType.config_error
    assert error.value.message.startswith("The saved state cannot be used: ")
    assert "Reset the connection" in error.value.message


@pytest.mark.parametrize("content", [b"not json", b"\xff\xfe", b'[{"type": "STREAM"'])
def test_given_a_state_file_that_is_not_json_then_a_config_error(content, tmp_path):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(AirbyteTracedException) as error:
        read_state_file(str(path))
    assert error.value.failure_type == FailureType.config_error


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
STATE_KEYS = st.sampled_from(
    ["type", "stream", "global", "data", "bookmarks", "stream_descriptor", "stream_state", "name", "tickets"]
)
MESSAGE_LIKE = st.recursive(
    JSON,
    lambda children: st.dictionaries(STATE_KEYS, children, max_size=4) | st.lists(children, max_size=3),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(raw=MESSAGE_LIKE)
def test_given_any_json_as_the_state_file_then_per_stream_states_or_a_config_error(raw):
    try:
        messages = per_stream_messages(raw)
    except AirbyteTracedException as error:
        assert error.failure_type == FailureType.config_error and "cannot be used" in error.message
    else:
        assert all(m["type"] == "STREAM" and isinstance(m["stream"]["stream_state"], dict) for m in messages)


# -- one stream's state, for every stream ---------------------------------------------------------------------------
EDGES = [0, -1, 253402300799, 253402300800, 10**12, 10**20, 1e300, "99999999999999", "1e400", "9999-12-31T23:59:59Z",
         "0000-01-01", "2024-02-30T00:00:00Z", "", " ", "NaN", "-0", "1.5e9"]  # fmt: skip
TIME_LIKE = st.one_of(
    st.sampled_from(EDGES),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=0, max_value=4 * 10**9).map(str),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.text(max_size=25),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
POSITION_KEYS = st.sampled_from(
    ["generated_timestamp", "updated_at", "created_at", "_ab_updated_at", "state", "_walk", "parent_state", "cursor"]
)
STREAM_STATE = st.dictionaries(
    POSITION_KEYS,
    TIME_LIKE
    | st.dictionaries(
        st.sampled_from(["high_water", "before_url", "generated_timestamp", "tickets"]), TIME_LIKE | st.text()
    ),
    max_size=3,
)


def _stream(cls):
    config = parse_config(api_token_config(), NOW_TS)
    return cls(config, authenticator=None, clock=lambda: NOW_TS)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(min_value=0, max_value=len(STREAMS) - 1), state=STREAM_STATE)
def test_given_any_stream_state_then_it_is_used_or_refused_with_a_message_never_a_crash(index, state):
    stream = _stream(STREAMS[index])
    try:
        stream.state = state
    except AirbyteTracedException as error:
        assert error.failure_type == FailureType.config_error
        assert f"The saved state of stream '{stream.name}' cannot be used" in error.message
        return
    saved = stream.state
    if stream.supports_incremental and state:
        # Accepted: the stream resumes from a position the state gave, not silently from the start date.
        (key,) = [k for k in saved if not k.startswith("_")]
        assert to_unix(saved[key]) >= 0 and not math.isnan(to_unix(saved[key]))
        assert saved != _stream(STREAMS[index]).state or _says_start(state, saved[key])


def _says_start(state: dict, value) -> bool:
    """Whether the given state happens to name exactly the start date (then resuming there is not a resync)."""
    return str(to_unix(value)) in json.dumps(state) or str(value) in json.dumps(state)


# -- future-dated state -------------------------------------------------------------------------------------------
def test_given_a_future_ticket_state_when_read_then_a_warning_says_so_and_nothing_old_is_read(zendesk):
    case = BY_NAME["tickets"]
    ((request, body),) = case.script(NOW_TS - 300, [[]])
    zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), ["tickets"], state={"tickets": {"generated_timestamp": FUTURE}})

    assert not error_traces(output)
    assert any("lies in the future (2100-01-01T00:00:00Z)" in w and "reset this stream" in w for w in warnings(output))


@pytest.mark.parametrize("stream", ["groups", "ticket_audits"])
def test_given_a_future_list_state_when_read_then_a_warning_and_no_records(stream, zendesk):
    case = BY_NAME[stream]
    ((request, body),) = case.script(START, [[(1, NOW_TS - 60)]])
    zendesk.expect(request, ZendeskResponse.ok(body))
    key = "created_at" if stream == "ticket_audits" else "updated_at"

    output = read(api_token_config(), [stream], state={stream: {key: "2100-01-01T00:00:00Z"}})

    assert records_of(output, stream) == []
    assert any("lies in the future" in w for w in warnings(output))


def test_given_a_state_a_few_minutes_ahead_then_no_warning(zendesk):
    zendesk.expect(
        ZendeskRequest.ticket_export(NOW_TS - 300), ZendeskResponse.ok(BY_NAME["tickets"].script(0, [[]])[0][1])
    )

    output = read(api_token_config(), ["tickets"], state={"tickets": {"generated_timestamp": NOW_TS + 600}})

    assert not any("future" in w for w in warnings(output))
