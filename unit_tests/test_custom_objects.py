"""custom_object_records: one export per custom object, each from that object's own place in the state (row_state.py).
The generic stream cases cover its pages; these cover its state, which depends on the objects."""

from __future__ import annotations

import time

from airbyte_cdk.models import FailureType

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of
from .zendesk_http import ZendeskMock, ZendeskRequest, ZendeskResponse, export_page, iso, record, template

STREAM = "custom_object_records"


def _objects(*keys: str) -> dict:
    body = template("custom_objects")
    body["custom_objects"] = [record("custom_objects", "custom_objects", key=key) for key in keys]
    return body


def _export(key: str, start_time: int, cursor: str | None = None) -> ZendeskRequest:
    query = (("cursor", cursor),) if cursor else (("per_page", "1000"), ("start_time", str(start_time)))
    return ZendeskRequest(f"incremental/custom_objects/{key}/cursor.json", query)


def _records(*pairs: tuple[str, int]) -> list[dict]:
    return [record(STREAM, STREAM, id=rid, updated_at=iso(unix)) for rid, unix in pairs]


def _start(floor: int) -> int:
    return min(floor, int(time.time()) - 300)


def test_given_two_objects_when_read_then_each_export_is_read_to_its_end_and_checkpointed_with_each_objects_newest(
    zendesk: ZendeskMock,
):
    zendesk.expect(ZendeskRequest("custom_objects.json"), ZendeskResponse.ok(_objects("car", "house")))
    more = _export("car", 0, cursor="next-car")
    zendesk.expect(_export("car", START), ZendeskResponse.ok(export_page(STREAM, STREAM, _records(("a", START + DAY)), more)))
    zendesk.expect(more, ZendeskResponse.ok(export_page(STREAM, STREAM, _records(("b", START + 3 * DAY)), None)))
    zendesk.expect(_export("house", START), ZendeskResponse.ok(export_page(STREAM, STREAM, _records(("c", START + 2 * DAY)), None)))

    output = read(api_token_config(), [STREAM])

    emitted = records_of(output, STREAM)
    assert [(r["id"], r["custom_object_key"]) for r in emitted] == [("a", "car"), ("b", "car"), ("c", "house")]
    states = states_of(output, STREAM)
    # A checkpoint once car's export was read to its end, before house's was: a sync cut there resumes with car done.
    assert {"updated_at": {"car": iso(START + 3 * DAY)}} in states
    assert states[-1] == {"updated_at": {"car": iso(START + 3 * DAY), "house": iso(START + 2 * DAY)}}


def test_given_a_saved_state_per_object_when_read_then_each_export_starts_at_its_own_and_gone_objects_leave_the_state(
    zendesk: ZendeskMock,
):
    saved = {"updated_at": {"car": iso(START + 10 * DAY), "boat": iso(START + 5 * DAY)}}
    zendesk.expect(ZendeskRequest("custom_objects.json"), ZendeskResponse.ok(_objects("car", "house")))
    zendesk.expect(_export("car", _start(START + 10 * DAY)),
                   ZendeskResponse.ok(export_page(STREAM, STREAM, _records(("a", START + 11 * DAY)), None)))
    zendesk.expect(_export("house", START), ZendeskResponse.ok(export_page(STREAM, STREAM, [], None)))

    output = read(api_token_config(), [STREAM], state={STREAM: saved})

    assert [r["id"] for r in records_of(output, STREAM)] == ["a"]
    # house had no records: it stays at the start date (no entry); boat is no longer listed.
    assert states_of(output, STREAM)[-1] == {"updated_at": {"car": iso(START + 11 * DAY)}}


def test_given_a_state_that_is_not_one_time_per_object_when_read_then_a_config_error_says_so(zendesk: ZendeskMock):
    output = read(api_token_config(), [STREAM], state={STREAM: {"updated_at": iso(START)}}, expect_failure=True)

    traces = error_traces(output)
    assert traces and traces[0].failure_type == FailureType.config_error
    assert "map each key to a time" in traces[0].message
