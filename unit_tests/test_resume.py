"""A sync cut short resumes at the next page it had not read, not at the start of the boundary second or the list."""

from __future__ import annotations

import pytest
from airbyte_cdk.models import FailureType

from .harness import DAY, NOW_TS, START, api_token_config, error_traces, read, records_of, states_of
from .zendesk_http import ZendeskRequest, ZendeskResponse, export_page, iso, list_page, record


def _ticket(ticket_id: int, generated: int) -> dict:
    return record("tickets", "tickets", id=ticket_id, generated_timestamp=generated)


def test_given_a_state_with_the_next_export_page_when_read_then_it_resumes_at_that_cursor(zendesk):
    # 1,000+ tickets may share the saved second: resuming from start_time would emit them all again.
    page_3 = ZendeskRequest.export_after("tickets", "c3")
    zendesk.expect(page_3, ZendeskResponse.ok(export_page("tickets", "tickets", [_ticket(7, START + 10)], None)))
    state = {"generated_timestamp": START + 10, "_walk": {"after_url": page_3.url}}

    output = read(api_token_config(), ["tickets"], state={"tickets": state})

    assert [r["id"] for r in records_of(output, "tickets")] == [7]
    assert states_of(output, "tickets")[-1] == {"generated_timestamp": START + 10}


def test_given_a_state_with_the_next_list_page_when_read_then_the_walk_resumes_and_ends_at_its_high_water(zendesk):
    page_2 = ZendeskRequest.list("macros", "after-1")
    rows = [record("macros", "macros", id=5, updated_at=iso(START + 2 * DAY))]
    zendesk.expect(page_2, ZendeskResponse.ok(list_page("macros", rows, None)))
    state = {"updated_at": iso(START), "_walk": {"high_water": iso(START + 3 * DAY), "next_url": page_2.url}}

    output = read(api_token_config(), ["macros"], state={"macros": state})

    assert [r["id"] for r in records_of(output, "macros")] == [5]
    assert states_of(output, "macros")[-1] == {"updated_at": iso(START + 3 * DAY)}


def test_given_records_updated_while_a_list_is_walked_then_the_state_stops_before_the_walk_began(zendesk):
    # A record on an earlier page could change while later pages are read: the state must stay below that moment.
    rows = [record("groups", "groups", id=1, updated_at=iso(NOW_TS - 10))]
    zendesk.expect(ZendeskRequest.list("groups"), ZendeskResponse.ok(list_page("groups", rows, None)))

    output = read(api_token_config(), ["groups"])

    assert states_of(output, "groups")[-1] == {"updated_at": iso(NOW_TS - 300)}


@pytest.mark.parametrize(
    "stream, state",
    [
        ("tickets", {"generated_timestamp": START, "_walk": {"after_url": 5}}),
        ("tickets", {"generated_timestamp": START, "_walk": {"after_url": "https://evil.example.com/x.json"}}),
        ("macros", {"updated_at": iso(START), "_walk": {"next_url": "https://acme.zendesk.com/api/v2/macros.json"}}),
        ("macros", {"updated_at": iso(START), "_walk": ["https://acme.zendesk.com/api/v2/macros.json"]}),
    ],
)
def test_given_a_broken_walk_in_the_state_then_a_config_error_and_nothing_read(stream, state, zendesk):
    output = read(api_token_config(), [stream], state={stream: state}, expect_failure=True)

    traces = error_traces(output)
    assert traces and traces[0].failure_type == FailureType.config_error
    assert f"The saved state of stream '{stream}' cannot be used" in traces[0].message
    assert records_of(output, stream) == []
