"""Row estimates: one count request per counted stream reading from the start date, its ESTIMATE before the stream's
first record, no estimate from a saved position, and a count that fails never fails the sync."""

from __future__ import annotations

import pytest
import requests
from airbyte_cdk.models import SyncMode, TraceType, Type

from source_zendesk_support.estimates import Progress, StreamProgress

from .harness import DAY, START, api_token_config, error_traces, read, records_of, warnings
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskRequest, ZendeskResponse

PAGES = [[(1, START + DAY), (2, START + 2 * DAY)], [(3, START + 3 * DAY)]]
COUNTED = ["tickets", "users", "organizations"]


def _count(resource: str) -> ZendeskRequest:
    return ZendeskRequest(f"{resource}/count.json")


def _counted(value: int, refreshed_at: str | None = "2024-05-31T23:00:00Z") -> ZendeskResponse:
    return ZendeskResponse.ok({"count": {"value": value, "refreshed_at": refreshed_at}})


def _expect_pages(zendesk, stream: str, start_time: int = START, pages=PAGES) -> None:
    for request, body in BY_NAME[stream].script(start_time, pages):
        zendesk.expect(request, ZendeskResponse.ok(body))


def _estimates(output) -> dict[str, int]:
    return {m.trace.estimate.name: m.trace.estimate.row_estimate
            for m in output.trace_messages if m.trace.type == TraceType.ESTIMATE}


def _first_of(output, stream: str) -> tuple[int, int]:
    """Where the stream's ESTIMATE and its first RECORD are among the messages."""
    kinds = [(m.type, m.trace.estimate.name if m.type == Type.TRACE and m.trace.type == TraceType.ESTIMATE
              else m.record.stream if m.type == Type.RECORD else None) for m in output._messages]
    return kinds.index((Type.TRACE, stream)), kinds.index((Type.RECORD, stream))


@pytest.mark.parametrize("stream", COUNTED)
def test_given_a_first_sync_when_read_then_zendesks_count_goes_out_as_the_estimate_before_the_first_record(
        stream, zendesk):
    zendesk.expect(_count(stream), _counted(3))
    _expect_pages(zendesk, stream)

    output = read(api_token_config(), [stream])

    assert _estimates(output) == {stream: 3}
    (estimate,) = [m.trace.estimate for m in output.trace_messages if m.trace.type == TraceType.ESTIMATE]
    assert estimate.type.value == "STREAM" and estimate.namespace is None
    estimate_at, first_record_at = _first_of(output, stream)
    assert estimate_at < first_record_at
    assert len(records_of(output, stream)) == 3 and not error_traces(output)


@pytest.mark.parametrize("stream", COUNTED)
def test_given_a_full_refresh_with_a_saved_state_then_it_reads_from_the_start_and_is_estimated(stream, zendesk):
    zendesk.expect(_count(stream), _counted(3))
    _expect_pages(zendesk, stream)
    saved = BY_NAME[stream].state(START + 2 * DAY)

    output = read(api_token_config(), {stream: SyncMode.full_refresh}, state={stream: saved})

    assert _estimates(output) == {stream: 3}


@pytest.mark.parametrize("stream", COUNTED)
def test_given_a_saved_position_when_read_incrementally_then_no_count_is_asked_and_no_estimate_sent(stream, zendesk):
    since = START + 2 * DAY
    _expect_pages(zendesk, stream, since, [[(3, START + 3 * DAY)]])

    output = read(api_token_config(), [stream], state={stream: BY_NAME[stream].state(since)})

    assert _estimates(output) == {} and zendesk.count_requests == []
    assert len(records_of(output, stream)) == 1


def test_given_tickets_and_ticket_metrics_then_one_count_request_estimates_both(zendesk):
    zendesk.expect(_count("tickets"), _counted(3))
    for request, body in BY_NAME["ticket_metrics"].script(START, PAGES):
        for ticket, metric_set in zip(body["tickets"], body["metric_sets"], strict=True):
            ticket["metric_set"] = metric_set
        zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), ["tickets", "ticket_metrics"])

    assert _estimates(output) == {"tickets": 3, "ticket_metrics": 3}
    assert len(zendesk.requests_to(_count("tickets"))) == 1


def test_given_streams_without_a_count_then_no_count_is_asked(zendesk):
    _expect_pages(zendesk, "groups")

    output = read(api_token_config(), ["groups"])

    assert _estimates(output) == {} and zendesk.count_requests == []


@pytest.mark.parametrize(
    "answer",
    [
        ZendeskResponse.server_error(500),
        ZendeskResponse.rate_limited("7"),
        ZendeskResponse.forbidden(),
        ZendeskResponse.unauthorized(),
        ZendeskResponse.html(),
        ZendeskResponse.failure(requests.ConnectionError("Connection reset by peer")),
        ZendeskResponse.failure(requests.exceptions.ReadTimeout("Read timed out")),
        ZendeskResponse.ok({"count": 3}),
        ZendeskResponse.ok({"count": {"value": "many"}}),
        ZendeskResponse.ok({"count": {"value": -1, "refreshed_at": None}}),
        _counted(100_000, refreshed_at=None),  # Zendesk recounting a big account: a cap, not a count
    ],
    ids=["500", "429", "403", "401", "html", "reset", "timeout", "flat", "text", "negative", "recounting"],
)
def test_given_a_count_that_fails_then_it_is_asked_once_and_the_stream_is_read_whole_without_an_estimate(
        answer, zendesk, sleeps):
    zendesk.expect(_count("tickets"), answer)
    _expect_pages(zendesk, "tickets")

    output = read(api_token_config(), ["tickets"])

    assert _estimates(output) == {}
    assert [r["id"] for r in records_of(output, "tickets")] == [1, 2, 3]
    assert not error_traces(output) and not [w for w in warnings(output) if "count" in w or "estimate" in w]
    assert any("No row estimate for 'tickets'" in m.log.message for m in output.logs)
    assert len(zendesk.requests_to(_count("tickets"))) == 1  # never retried
    assert sleeps == [] or sleeps == [pytest.approx(7.0, abs=0.1)]  # a 429 holds the next request till Retry-After


def test_given_a_wait_during_a_sync_then_its_log_lines_say_the_records_so_far_and_the_share_of_the_estimate(
        zendesk, sleeps):
    zendesk.expect(_count("tickets"), _counted(3))
    (first, first_page), (second, second_page) = BY_NAME["tickets"].script(START, PAGES)
    zendesk.expect(first, ZendeskResponse.ok(first_page))
    zendesk.expect(second, ZendeskResponse.rate_limited("65"), ZendeskResponse.ok(second_page))

    output = read(api_token_config(), ["tickets"])

    said = [m.log.message for m in output.logs if "s to go" in m.log.message]
    assert said and all("Progress: tickets 2 of ~3 records (66%); 2 records in all." in line for line in said)
    assert len(records_of(output, "tickets")) == 3


def test_progress_names_the_streams_being_read_and_counts_finished_ones_in_the_total():
    progress = Progress()
    assert progress.summary() == ""
    emitted = []

    class Estimates:  # the part of estimates.Estimates a stream's progress uses
        def __init__(self) -> None:
            self.progress = progress

        def rows(self, stream: str, from_start: bool) -> int | None:
            return {"tickets": 4000}.get(stream) if from_start else None

    tickets, users, groups = (StreamProgress(name, None, Estimates(), emitted.append)  # type: ignore[arg-type]
                              for name in ("tickets", "users", "groups"))
    for stream in (tickets, users, groups):
        stream.begin(from_start=True)
    for _ in range(1000):
        tickets.record()
    users.record()
    for _ in range(8):
        groups.record()
    groups.end()

    assert progress.summary() == ("Progress: tickets 1,000 of ~4,000 records (25%), users 1 record; "
                                  "1,009 records in all.")
    assert [m.trace.estimate.row_estimate for m in emitted] == [4000]
