"""Streams read side by side: states stay behind their records, and one stream's failure stops only that stream."""

from __future__ import annotations

from airbyte_cdk.models import AirbyteStreamStatus, Type

from .harness import DAY, START, api_token_config, error_traces, read, records_of
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskResponse

TICKET_PAGES = [[(1, START + DAY), (2, START + 2 * DAY)], [(3, START + 3 * DAY)]]


def _expect(zendesk, stream: str, pages) -> None:
    for request, body in BY_NAME[stream].script(START, pages):
        zendesk.expect(request, ZendeskResponse.ok(body))


def test_given_streams_in_both_lanes_when_read_then_each_state_follows_the_records_of_its_page(zendesk):
    _expect(zendesk, "tickets", TICKET_PAGES)
    _expect(zendesk, "ticket_audits", [[(7, START + DAY)]])

    output = read(api_token_config(), ["tickets", "ticket_audits"])

    seen, states = [], []
    for message in output.records_and_state_messages:
        if message.type == Type.RECORD and message.record.stream == "tickets":
            seen.append(message.record.data["id"])
        elif message.type == Type.STATE and message.state.stream.stream_descriptor.name == "tickets":
            states.append((list(seen), message.state.stream.stream_state.__dict__["generated_timestamp"]))
    assert states == [([1, 2], START + 2 * DAY), ([1, 2, 3], START + 3 * DAY)]
    assert len(records_of(output, "ticket_audits")) == 1


def test_given_a_failing_export_when_read_then_the_next_export_in_its_lane_still_syncs_and_the_sync_fails(zendesk):
    zendesk.expect(BY_NAME["tickets"].first_request(START), ZendeskResponse.unauthorized())
    _expect(zendesk, "users", [[(5, START + DAY)]])

    output = read(api_token_config(), ["tickets", "users"], expect_failure=True)

    assert [r["id"] for r in records_of(output, "users")] == [5]
    assert {t.stream_descriptor.name for t in error_traces(output) if t.stream_descriptor} == {"tickets"}
    assert output.get_stream_statuses("tickets")[-1] == AirbyteStreamStatus.INCOMPLETE
    assert output.get_stream_statuses("users")[-1] == AirbyteStreamStatus.COMPLETE
