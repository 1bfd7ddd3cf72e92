"""side_conversations: the ticket export's pages, then one request (and its pages) per ticket on each page."""

from __future__ import annotations

import pytest
from airbyte_cdk.models import FailureType

from source_zendesk_support.errors import CREDENTIALS_REJECTED

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of, warnings
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskMock, ZendeskRequest, ZendeskResponse, template

STREAM = "side_conversations"
TICKETS = BY_NAME["tickets"]
METRICS = BY_NAME["ticket_metrics"]
PAGES = [[(1, START + DAY), (2, START + 2 * DAY)], [(3, START + 3 * DAY)]]


def _threads(ticket: int, *numbers: int) -> list[dict]:
    record = template(STREAM)[STREAM][0]
    return [{**record, "id": f"thread-{ticket}-{n}", "ticket_id": ticket} for n in numbers]


def _list(ticket: int, page: int | None = None) -> ZendeskRequest:
    query = (("page", str(page)), ("per_page", "100")) if page else (("per_page", "100"),)
    return ZendeskRequest(f"tickets/{ticket}/side_conversations.json", query)


def _list_page(threads: list[dict], following: ZendeskRequest | None = None) -> ZendeskResponse:
    body = template(STREAM)
    body.update(side_conversations=threads, count=len(threads), next_page=following.url if following else None)
    return ZendeskResponse.ok(body)


def _expect_export(zendesk: ZendeskMock, pages=PAGES, start: int = START, deleted: tuple[int, ...] = ()) -> list:
    """The ticket export side_conversations reads alone (the tickets stream's own request), each page once."""
    script = TICKETS.script(start, pages)
    for request, body in script:
        for ticket in body["tickets"]:
            ticket["status"] = "deleted" if ticket["id"] in deleted else "open"
        zendesk.expect(request, ZendeskResponse.ok(body))
    return [request for request, _ in script]


def _expect_threads(zendesk: ZendeskMock, tickets=(1, 2, 3)) -> None:
    for ticket in tickets:
        zendesk.expect(_list(ticket), _list_page(_threads(ticket, 1)))


def _ids(output) -> list[str]:
    return [record["id"] for record in records_of(output, STREAM)]


def _positions(output, stream: str = STREAM) -> list[int]:
    return [state["generated_timestamp"] for state in states_of(output, stream)]


def _infos(output) -> list[str]:
    return [m.log.message for m in output.logs if m.log.level.value == "INFO"]


def test_given_changed_tickets_when_read_then_each_ticket_on_the_pages_is_asked_once_and_each_page_checkpointed(zendesk):
    exports = _expect_export(zendesk)
    _expect_threads(zendesk)

    output = read(api_token_config(), [STREAM])

    assert _ids(output) == ["thread-1-1", "thread-2-1", "thread-3-1"]
    assert _positions(output) == [START + 2 * DAY, START + 3 * DAY]
    assert all(len(zendesk.requests_to(request)) == 1 for request in exports)
    assert all(len(zendesk.requests_to(_list(ticket))) == 1 for ticket in (1, 2, 3))
    assert "side_conversations: 3 per-ticket requests for 3 tickets" in _infos(output)
    assert not error_traces(output)


def test_given_no_changed_tickets_when_read_then_no_per_ticket_request_and_the_state_stays(zendesk):
    saved = START + 10 * DAY
    _expect_export(zendesk, [[]], start=saved)  # the strict mock fails on any request for a ticket

    output = read(api_token_config(), [STREAM], state={STREAM: {"generated_timestamp": saved}})

    assert records_of(output, STREAM) == []
    assert set(_positions(output)) == {saved}
    assert "side_conversations: 0 per-ticket requests for 0 tickets" in _infos(output)


def test_given_a_ticket_with_several_pages_of_threads_when_read_then_every_page_is_followed(zendesk):
    _expect_export(zendesk, [[(1, START + DAY)]])
    zendesk.expect(_list(1), _list_page(_threads(1, 1, 2), following=_list(1, page=2)))
    zendesk.expect(_list(1, page=2), _list_page(_threads(1, 3)))

    output = read(api_token_config(), [STREAM])

    assert _ids(output) == ["thread-1-1", "thread-1-2", "thread-1-3"]
    assert "side_conversations: 2 per-ticket requests for 1 tickets" in _infos(output)


def test_given_a_deleted_ticket_on_the_page_when_read_then_it_is_not_asked_for(zendesk):
    _expect_export(zendesk, deleted=(2,))
    _expect_threads(zendesk, (1, 3))

    output = read(api_token_config(), [STREAM])

    assert _ids(output) == ["thread-1-1", "thread-3-1"]
    assert _positions(output)[-1] == START + 3 * DAY
    assert any(line.startswith("side_conversations: 2 per-ticket requests for 2 tickets (1 tickets skipped")
               for line in _infos(output))


@pytest.mark.parametrize("status, body", [(404, "error_record_not_found"), (422, "error_unprocessable")])
def test_given_one_ticket_refused_after_another_answered_when_read_then_it_alone_is_skipped_with_a_warning(
    status, body, zendesk
):
    _expect_export(zendesk)
    _expect_threads(zendesk, (1, 3))
    zendesk.expect(_list(2), ZendeskResponse.error(status, body))

    output = read(api_token_config(), [STREAM])

    assert _ids(output) == ["thread-1-1", "thread-3-1"]
    assert _positions(output) == [START + 2 * DAY, START + 3 * DAY]
    skipped = [w for w in warnings(output) if "/api/v2/tickets/2/side_conversations.json" in w]
    assert len(skipped) == 1 and f"HTTP {status}" in skipped[0] and "goes on" in skipped[0]
    assert not any("Skipping stream" in w for w in warnings(output)) and not error_traces(output)


def test_given_422_for_the_first_ticket_when_read_then_only_that_ticket_is_skipped(zendesk):
    _expect_export(zendesk)
    zendesk.expect(_list(1), ZendeskResponse.error(422, "error_unprocessable"))
    _expect_threads(zendesk, (2, 3))

    output = read(api_token_config(), [STREAM])

    assert _ids(output) == ["thread-2-1", "thread-3-1"] and not error_traces(output)


@pytest.mark.parametrize("refusal", [ZendeskResponse.forbidden(), ZendeskResponse.error(404, "error_not_found")],
                         ids=["403", "404"])
def test_given_the_first_ticket_refused_when_read_then_the_stream_is_skipped_with_one_warning_and_others_sync(
    refusal, zendesk
):
    # Without the Collaboration add-on the export works but the tickets' lists are refused: the stream stops at the
    # first refusal (the strict mock fails on a request for ticket 2), its state where it was.
    _expect_export(zendesk, [PAGES[0]])
    zendesk.expect(_list(1), refusal)
    users = BY_NAME["users"]
    for request, body in users.script(START, [[(7, START + DAY)]]):
        zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), [STREAM, "users"])

    assert records_of(output, STREAM) == [] and len(records_of(output, "users")) == 1
    skipped = [w for w in warnings(output) if "side_conversations" in w]
    assert len(skipped) == 1 and "Skipping stream 'side_conversations'" in skipped[0]
    assert "Collaboration add-on" in skipped[0] and str(refusal.status) in skipped[0]
    assert set(_positions(output)) == {START}
    assert not error_traces(output)


def test_given_a_page_whose_last_ticket_fails_when_read_then_the_state_stays_at_the_page_before(zendesk):
    # Ticket 3's threads never came: the page holding it must be read again, whole, next time.
    _expect_export(zendesk, [PAGES[0], [(3, START + 3 * DAY), (4, START + 4 * DAY)]])
    _expect_threads(zendesk, (1, 2, 3))
    zendesk.expect(_list(4), ZendeskResponse.unauthorized())

    output = read(api_token_config(), [STREAM], expect_failure=True)

    assert _ids(output) == ["thread-1-1", "thread-2-1", "thread-3-1"]
    assert _positions(output) == [START + 2 * DAY]
    (trace,) = [t for t in error_traces(output) if t.stream_descriptor]
    assert trace.failure_type == FailureType.config_error and trace.message == CREDENTIALS_REJECTED


def test_given_a_ticket_list_that_is_not_zendesk_shaped_when_read_then_the_stream_fails_saying_so(zendesk):
    _expect_export(zendesk, [[(1, START + DAY)]])
    body = template(STREAM)
    del body[STREAM]
    zendesk.expect(_list(1), ZendeskResponse.ok(body))

    output = read(api_token_config(), [STREAM], expect_failure=True)

    (trace,) = [t for t in error_traces(output) if t.stream_descriptor]
    assert trace.message == ("Zendesk's pagination cannot be followed: a page of a ticket's 'side_conversations' has "
                             "no 'side_conversations' list")
    assert states_of(output, STREAM) == [] or set(_positions(output)) == {START}


def test_given_a_ticket_list_pointing_back_to_itself_when_read_then_the_stream_stops_instead_of_looping(zendesk):
    _expect_export(zendesk, [[(1, START + DAY)]])
    zendesk.expect(_list(1), _list_page(_threads(1, 1), following=_list(1, page=2)))
    zendesk.expect(_list(1, page=2), _list_page(_threads(1, 2), following=_list(1, page=2)))

    output = read(api_token_config(), [STREAM], expect_failure=True)

    (trace,) = [t for t in error_traces(output) if t.stream_descriptor]
    assert "is a page already read" in trace.message


def test_given_a_ticket_row_without_an_id_when_read_then_the_stream_fails_before_asking(zendesk):
    ((request, body),) = TICKETS.script(START, [[(1, START + DAY)]])
    body["tickets"][0]["id"] = None
    zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), [STREAM], expect_failure=True)

    (trace,) = [t for t in error_traces(output) if t.stream_descriptor]
    assert trace.message == "Zendesk sent a page of 'side_conversations' that cannot be read: a ticket's 'id' is not an id (None)"


# -- sharing the ticket export ------------------------------------------------------------------------------------
def test_given_tickets_and_side_conversations_from_start_when_read_then_the_export_is_requested_once_for_both(zendesk):
    exports = _expect_export(zendesk)
    _expect_threads(zendesk)

    output = read(api_token_config(), ["tickets", STREAM])

    assert [r["id"] for r in records_of(output, "tickets")] == [1, 2, 3]
    assert records_of(output, "tickets")[0]["subject"]  # the tickets stream still gets its whole records
    assert _ids(output) == ["thread-1-1", "thread-2-1", "thread-3-1"]
    for stream in ("tickets", STREAM):
        assert _positions(output, stream) == [START + 2 * DAY, START + 3 * DAY]
    assert all(len(zendesk.requests_to(request)) == 1 for request in exports)
    assert not error_traces(output)


def test_given_metrics_and_side_conversations_without_tickets_when_read_then_they_share_the_sideloading_export(zendesk):
    # ticket_metrics publishes (a stream asking row by row never does): one export with the sideload serves both.
    script = METRICS.script(START, PAGES)
    for request, body in script:
        zendesk.expect(request, ZendeskResponse.ok(body))
    _expect_threads(zendesk)

    output = read(api_token_config(), [STREAM, "ticket_metrics"])

    assert _ids(output) == ["thread-1-1", "thread-2-1", "thread-3-1"]
    assert [r["id"] for r in records_of(output, "ticket_metrics")] == METRICS.ids([i for page in PAGES for i in page])
    assert _positions(output) == _positions(output, "ticket_metrics") == [START + 2 * DAY, START + 3 * DAY]
    assert all(len(zendesk.requests_to(request)) == 1 for request, _ in script)


def test_given_side_conversations_refused_while_sharing_when_read_then_tickets_still_sync_whole(zendesk):
    _expect_export(zendesk)
    zendesk.expect(_list(1), ZendeskResponse.forbidden())

    output = read(api_token_config(), ["tickets", STREAM])

    assert [r["id"] for r in records_of(output, "tickets")] == [1, 2, 3]
    assert records_of(output, STREAM) == [] and not error_traces(output)
    assert _positions(output, "tickets")[-1] == START + 3 * DAY


def test_given_different_saved_states_when_read_then_side_conversations_reads_its_own_export(zendesk):
    for request, body in TICKETS.script(START + 2 * DAY, [[(3, START + 3 * DAY)]]):
        zendesk.expect(request, ZendeskResponse.ok(body))
    _expect_export(zendesk)
    _expect_threads(zendesk)

    output = read(api_token_config(), ["tickets", STREAM], state={"tickets": {"generated_timestamp": START + 2 * DAY}})

    assert [r["id"] for r in records_of(output, "tickets")] == [3]
    assert _ids(output) == ["thread-1-1", "thread-2-1", "thread-3-1"]


# -- the official connector's state --------------------------------------------------------------------------------
SAVED = START + 10 * DAY


@pytest.mark.parametrize("state", [
    {"use_global_cursor": False, "states": [{"partition": {"ticket_id": 1, "parent_slice": {}},
                                             "cursor": {"updated_at": "2024-01-05T00:00:00Z"}}],
     "state": {"updated_at": "2024-01-05T00:00:00Z"}, "lookback_window": 0,
     "parent_state": {"tickets": {"generated_timestamp": str(SAVED)}}},
    {"state": {"updated_at": "2024-01-11T00:00:00.000+00:00"}},
    {"updated_at": "2024-01-11T00:00:00Z"},
    {"generated_timestamp": SAVED},
], ids=["parent state", "global cursor", "plain cursor", "ours"])
def test_given_the_official_connectors_state_when_read_then_the_export_starts_there(state, zendesk):
    _expect_export(zendesk, [[(5, SAVED + 60)]], start=SAVED)
    _expect_threads(zendesk, (5,))

    output = read(api_token_config(), [STREAM], state={STREAM: state})

    assert _ids(output) == ["thread-5-1"] and not error_traces(output)
    assert states_of(output, STREAM)[-1] == {"generated_timestamp": SAVED + 60}


def test_given_side_conversations_alone_when_read_with_other_exports_then_it_holds_neither_lane(zendesk):
    # Its time goes to per-ticket requests: in the exports' lane it would hold users' export back for that long.
    _expect_export(zendesk)
    _expect_threads(zendesk)
    users = BY_NAME["users"]
    for request, body in users.script(START, [[(7, START + DAY)]]):
        zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), [STREAM, "users"])

    lanes = {line.split("'")[1]: line.split("'")[3] for line in _infos(output) if "is in blocking group" in line}
    assert lanes == {STREAM: "requests per record", "users": "incremental exports"}
    assert len(_ids(output)) == 3 and len(records_of(output, "users")) == 1
