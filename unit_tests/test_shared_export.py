"""tickets and ticket_metrics read the ticket export once when both are synced from the same position."""

from __future__ import annotations

import json
import threading

import pytest
import requests
from airbyte_cdk.models import SyncMode
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_zendesk_support.errors import json_body
from source_zendesk_support.sharing import PageBroadcast, _Packed

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of, warnings
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskResponse

METRICS = BY_NAME["ticket_metrics"]
TICKETS = BY_NAME["tickets"]
PAGES = [[(1, START + DAY), (2, START + 2 * DAY)], [(3, START + 3 * DAY)]]


def _positions(output, stream: str) -> list[int]:
    return [state["generated_timestamp"] for state in states_of(output, stream)]


def _expect_metric_export(zendesk, start_time: int) -> list:
    """The sideloading export (what ticket_metrics alone requests), each page answered once. Zendesk embeds each
    ticket's metric set in the ticket too."""
    script = METRICS.script(start_time, PAGES)
    for request, body in script:
        for ticket, metric_set in zip(body["tickets"], body["metric_sets"], strict=True):
            ticket["metric_set"] = metric_set
        zendesk.expect(request, ZendeskResponse.ok(body))
    return [request for request, _ in script]


def test_given_tickets_and_metrics_from_start_when_read_then_one_export_with_the_sideload_serves_both(zendesk):
    requests = _expect_metric_export(zendesk, START)

    output = read(api_token_config(), ["tickets", "ticket_metrics"])

    assert [r["id"] for r in records_of(output, "tickets")] == [1, 2, 3]
    assert not [r for r in records_of(output, "tickets") if "metric_set" in r]  # as when read alone
    assert [r["id"] for r in records_of(output, "ticket_metrics")] == [10_001, 10_002, 10_003]
    for stream in ("tickets", "ticket_metrics"):
        assert _positions(output, stream) == [START + 2 * DAY, START + 3 * DAY]
    assert all(len(zendesk.requests_to(request)) == 1 for request in requests)
    assert not error_traces(output)


def test_given_both_with_the_same_saved_state_when_read_incrementally_then_they_still_share(zendesk):
    saved = {"generated_timestamp": START + DAY}
    _expect_metric_export(zendesk, START + DAY)

    output = read(api_token_config(), ["tickets", "ticket_metrics"], state={"tickets": saved, "ticket_metrics": saved})

    assert len(records_of(output, "tickets")) == 3 and len(records_of(output, "ticket_metrics")) == 3
    assert _positions(output, "ticket_metrics")[-1] == START + 3 * DAY


def test_given_different_saved_states_when_read_then_each_stream_reads_its_own_export(zendesk):
    for request, body in TICKETS.script(START + 2 * DAY, [[(3, START + 3 * DAY)]]):
        zendesk.expect(request, ZendeskResponse.ok(body))
    _expect_metric_export(zendesk, START)

    output = read(api_token_config(), ["tickets", "ticket_metrics"],
                  state={"tickets": {"generated_timestamp": START + 2 * DAY}})

    assert [r["id"] for r in records_of(output, "tickets")] == [3]
    assert len(records_of(output, "ticket_metrics")) == 3


def test_given_one_full_refresh_and_one_incremental_when_read_then_they_do_not_share(zendesk):
    for request, body in TICKETS.script(START, [[(1, START + DAY)]]):
        zendesk.expect(request, ZendeskResponse.ok(body))
    _expect_metric_export(zendesk, START)

    output = read(api_token_config(), {"tickets": SyncMode.full_refresh, "ticket_metrics": SyncMode.incremental})

    assert len(records_of(output, "tickets")) == 1 and len(records_of(output, "ticket_metrics")) == 3


def test_given_the_shared_export_answers_403_when_read_then_both_streams_are_skipped_and_the_sync_succeeds(zendesk):
    zendesk.expect(METRICS.first_request(START), ZendeskResponse.forbidden())

    output = read(api_token_config(), ["tickets", "ticket_metrics"])

    assert records_of(output, "tickets") == [] and records_of(output, "ticket_metrics") == []
    assert any("Skipping stream 'tickets'" in w for w in warnings(output))
    assert not error_traces(output)


def test_given_the_shared_export_fails_when_read_then_metrics_fail_too_after_the_pages_they_received(zendesk):
    first, second = METRICS.script(START, PAGES)
    zendesk.expect(first[0], ZendeskResponse.ok(first[1]))
    zendesk.expect(second[0], ZendeskResponse.unauthorized())

    output = read(api_token_config(), ["tickets", "ticket_metrics"], expect_failure=True)

    assert [r["id"] for r in records_of(output, "ticket_metrics")] == [10_001, 10_002]
    assert _positions(output, "ticket_metrics") == [START + 2 * DAY]
    failed = {trace.stream_descriptor.name for trace in error_traces(output) if trace.stream_descriptor}
    assert failed == {"tickets", "ticket_metrics"}


def _waiting_bytes(broadcast: PageBroadcast, follower: str) -> int:
    """The bytes of the pages `follower` has not taken yet."""
    return sum(page.size for page in broadcast._pages[follower] if isinstance(page, _Packed))


def _page(body: dict) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = 200, json.dumps(body).encode()
    return response


def test_given_a_published_page_when_a_sideload_follower_receives_it_then_it_holds_only_the_publishers_cursors():
    page = {"tickets": [{"id": 1, "generated_timestamp": 7, "description": "x" * 1000}],
            "metric_sets": [{"id": 10_001}], "after_url": "https://acme.zendesk.com/next", "end_of_stream": False}
    response = _page(page)
    broadcast = PageBroadcast("tickets", "tickets", [("ticket_metrics", False, "metric_sets")], ["generated_timestamp"])

    broadcast.publish(response)
    received = json_body(broadcast.receive("ticket_metrics"))

    assert received == {**page, "tickets": [{"generated_timestamp": 7}]}
    assert json_body(response)["tickets"][0]["description"]  # the publisher's own page is untouched


def test_given_followers_of_the_same_records_and_of_a_sideload_then_each_gets_the_page_it_needs():
    page = {"ticket_events": [{"id": 5, "timestamp": 7, "child_events": [{"id": 6}]}], "end_of_stream": True}
    broadcast = PageBroadcast("ticket_events", "ticket_events", [("ticket_comments", True, "ticket_events"),
                                                                    ("other", False, "ticket_events")])

    broadcast.publish(_page(page))

    assert json_body(broadcast.receive("ticket_comments")) == page
    assert json_body(broadcast.receive("other")) == {**page, "ticket_events": [{}]}


def test_given_two_followers_when_one_abandons_then_the_publisher_goes_on_and_the_other_gets_every_page():
    broadcast = PageBroadcast("ticket_events", "ticket_events", [("a", True, "ticket_events"), ("b", True, "ticket_events")])
    broadcast.publish(_page({"ticket_events": [], "n": 1}))
    assert json_body(broadcast.receive("a"))["n"] == 1
    broadcast.abandon("b")  # b never took its page: the publisher must not wait for it

    broadcast.publish(_page({"ticket_events": [], "n": 2}))  # would block forever if b were still waited for
    broadcast.close()

    assert json_body(broadcast.receive("a"))["n"] == 2
    with pytest.raises(AirbyteTracedException, match="'ticket_events' stopped before the last page"):
        broadcast.receive("a")


def test_given_the_publisher_is_done_when_the_follower_asks_for_more_then_it_fails_clearly():
    broadcast = PageBroadcast("tickets", "tickets", [("ticket_metrics", False, "metric_sets")], ["generated_timestamp"])
    broadcast.close()

    with pytest.raises(AirbyteTracedException, match="'tickets' stopped before the last page"):
        broadcast.receive("ticket_metrics")


def test_given_a_follower_of_other_records_falls_behind_then_the_publisher_goes_on_until_its_byte_budget():
    """side_conversations asks for its records ticket by ticket: the ticket export must not wait on that pace."""
    rows = [{"id": n, "generated_timestamp": n, "description": "x" * 2000} for n in range(1000)]
    packed = len(json.dumps({"n": 0, "tickets": [{"id": n, "generated_timestamp": n} for n in range(1000)]},
                            separators=(",", ":")))
    broadcast = PageBroadcast("tickets", "tickets", [("side_conversations", False, "tickets")], ["id", "generated_timestamp"],
                              light_budget=8 * packed)

    for n in range(8):  # never taken: the pages wait packed, each a fiftieth of the page's size
        broadcast.publish(_page({"tickets": rows, "n": n}))
    assert _waiting_bytes(broadcast, "side_conversations") == 8 * packed
    blocked = threading.Thread(target=broadcast.publish, args=(_page({"tickets": rows, "n": 8}),), daemon=True)
    blocked.start()
    blocked.join(0.3)
    assert blocked.is_alive()  # the budget is spent: the publisher waits for the follower

    first = json_body(broadcast.receive("side_conversations"))
    blocked.join(5)

    assert not blocked.is_alive()
    assert first["n"] == 0 and first["tickets"][:2] == [{"id": 0, "generated_timestamp": 0},
                                                        {"id": 1, "generated_timestamp": 1}]
    assert [json_body(broadcast.receive("side_conversations"))["n"] for _ in range(8)] == list(range(1, 9))


def test_given_a_follower_asking_row_by_row_then_its_pages_leave_out_the_sideloads_others_read():
    page = {"tickets": [{"id": 1, "generated_timestamp": 7, "description": "x"}], "metric_sets": [{"id": 10_001}],
            "after_url": "https://acme.zendesk.com/next", "end_of_stream": False}
    broadcast = PageBroadcast("tickets", "tickets", [("ticket_metrics", False, "metric_sets"),
                                                     ("side_conversations", False, "tickets")],
                              ["id", "generated_timestamp"])

    broadcast.publish(_page(page))

    assert json_body(broadcast.receive("ticket_metrics"))["metric_sets"] == [{"id": 10_001}]
    assert json_body(broadcast.receive("side_conversations")) == {
        "tickets": [{"id": 1, "generated_timestamp": 7}], "after_url": "https://acme.zendesk.com/next",
        "end_of_stream": False}


def test_given_a_follower_of_other_records_falls_behind_then_its_pages_wait_in_a_file_emptied_once_taken():
    """Waiting pages kept as bytes objects pinned memory the allocator could not give back (27 MB at 100,000
    tickets for 6 MB of pages): they wait on disk instead."""
    rows = [{"id": n, "generated_timestamp": n} for n in range(100)]
    broadcast = PageBroadcast("tickets", "tickets", [("side_conversations", False, "tickets")], ["id", "generated_timestamp"])
    spool = broadcast._spools["side_conversations"]

    for n in range(3):
        broadcast.publish(_page({"tickets": rows, "n": n}))
    waiting = _waiting_bytes(broadcast, "side_conversations")

    assert waiting > 0 and spool._file is not None and not spool._memory
    assert spool._file.seek(0, 2) == waiting  # every waiting byte is in the file
    assert [json_body(broadcast.receive("side_conversations"))["n"] for _ in range(3)] == [0, 1, 2]
    assert spool._file.seek(0, 2) == 0  # all taken: the file starts over


def test_given_a_follower_of_the_same_records_has_not_taken_the_last_page_then_the_publisher_waits_to_request():
    """Two pages alive at most: the one the follower reads and the next, never a third requested ahead."""
    broadcast = PageBroadcast("ticket_events", "ticket_events", [("ticket_comments", True, "ticket_events")])
    broadcast.publish(_page({"ticket_events": [], "n": 1}))
    waiter = threading.Thread(target=broadcast.wait_for_room, daemon=True)
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive()

    assert json_body(broadcast.receive("ticket_comments"))["n"] == 1
    waiter.join(5)

    assert not waiter.is_alive()
