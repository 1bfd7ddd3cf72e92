"""A 504 on an export page: the same page is asked for again with a smaller page, then the size recovers; on the
time-based exports that take no page size (ticket events, metric events), it is retried with backoff."""

from __future__ import annotations

import pytest
from airbyte_cdk.models import FailureType

from source_zendesk_support.paginators import PageSize, with_param

from .harness import START, api_token_config, error_traces, read, records_of, states_of, warnings
from .zendesk_http import ZendeskRequest, ZendeskResponse, export_page, iso, record, template, time_export_page


def _ticket(ticket_id: int, generated: int) -> dict:
    return record("tickets", "tickets", id=ticket_id, generated_timestamp=generated)


def _first(per_page: int) -> ZendeskRequest:
    return ZendeskRequest("incremental/tickets/cursor.json", (("start_time", str(START)), ("per_page", str(per_page))))


def _after(cursor: str, per_page: int | None = None) -> ZendeskRequest:
    query = (("cursor", cursor),) + ((("per_page", str(per_page)),) if per_page else ())
    return ZendeskRequest("incremental/tickets/cursor.json", query)


def _page(tickets: list[dict], after: ZendeskRequest | None) -> ZendeskResponse:
    return ZendeskResponse.ok(export_page("tickets", "tickets", tickets, after))


def test_given_a_504_on_an_export_page_when_read_then_the_page_is_asked_again_at_half_the_size(zendesk, sleeps):
    zendesk.expect(_first(1000), ZendeskResponse.server_error(504))
    zendesk.expect(_first(500), _page([_ticket(1, START + 10)], _after("c2", 500)))
    zendesk.expect(_after("c2", 500), _page([_ticket(2, START + 20)], None))

    output = read(api_token_config(), ["tickets"])

    assert [r["id"] for r in records_of(output, "tickets")] == [1, 2]
    assert states_of(output, "tickets")[-1] == {"generated_timestamp": START + 20}
    assert sleeps == []  # a smaller page is asked for at once: the 504 was about the page, not about Zendesk
    assert any("asking for a smaller page" in w and "500 records per page" in w for w in warnings(output))


def test_given_504s_down_to_the_smallest_page_then_the_504_is_retried_with_backoff(zendesk, sleeps):
    for size in (1000, 500, 250, 125, 62):
        zendesk.expect(_first(size), ZendeskResponse.server_error(504))
    zendesk.expect(_first(50), ZendeskResponse.server_error(504), _page([_ticket(1, START + 10)], None))

    output = read(api_token_config(), ["tickets"])

    assert [r["id"] for r in records_of(output, "tickets")] == [1]
    assert sleeps == [2.0]  # only the last 504, at the smallest size, waited


def test_given_a_reduced_page_size_then_later_next_urls_carry_it_and_it_doubles_after_five_pages(zendesk, sleeps):
    zendesk.expect(_first(1000), ZendeskResponse.server_error(504))
    zendesk.expect(_first(500), _page([_ticket(1, START + 1)], _after("c1", 500)))
    for n in range(1, 5):
        zendesk.expect(_after(f"c{n}", 500), _page([_ticket(n + 1, START + n + 1)], _after(f"c{n + 1}", 500)))
    # Five pages were read at 500: the next one is asked at 1000 although Zendesk's URL still says 500.
    zendesk.expect(_after("c5", 1000), _page([_ticket(6, START + 6)], None))

    output = read(api_token_config(), ["tickets"])

    assert [r["id"] for r in records_of(output, "tickets")] == [1, 2, 3, 4, 5, 6]


def _org(org_id: int, updated: int) -> dict:
    return record("organizations", "organizations", id=org_id, updated_at=iso(updated))


def test_given_a_504_on_a_time_based_export_page_then_a_smaller_page_follows_on_from_its_end_time(zendesk, sleeps):
    first = ZendeskRequest.organization_export
    zendesk.expect(first(START, 1000), ZendeskResponse.server_error(504))
    # The smaller page ends in the middle of a second (START + 20): its records come again on the next page.
    zendesk.expect(first(START, 500), ZendeskResponse.ok(
        time_export_page([_org(1, START + 10), _org(2, START + 20)], START + 20, first(START + 20, 500))))
    zendesk.expect(first(START + 20, 500), ZendeskResponse.ok(
        time_export_page([_org(2, START + 20), _org(3, START + 20), _org(4, START + 30)], START + 30, None)))

    output = read(api_token_config(), ["organizations"])

    assert [r["id"] for r in records_of(output, "organizations")] == [1, 2, 3, 4]
    assert states_of(output, "organizations")[-1] == {"updated_at": iso(START + 30)}
    assert sleeps == []


def test_given_a_504_on_an_export_without_a_page_size_then_the_same_page_is_retried_with_backoff(zendesk, sleeps):
    request = ZendeskRequest("incremental/ticket_events.json", (("start_time", str(START)), ("include", "comment_events")))
    page = template("ticket_events")
    page.update(end_of_stream=True, next_page=None)
    zendesk.expect(request, ZendeskResponse.server_error(504), ZendeskResponse.ok(page))

    output = read(api_token_config(), ["ticket_events"])

    assert len(records_of(output, "ticket_events")) == len(page["ticket_events"])
    assert sleeps == [2.0]  # the same request again: Zendesk documents no page size for this export
    assert not any("smaller page" in w for w in warnings(output))


def test_given_a_504_on_a_list_then_it_is_an_ordinary_retry(zendesk, sleeps):
    page = {"tags": [{"name": "a", "count": 1}], "meta": {"has_more": False}, "links": {"next": None}}
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.server_error(504), ZendeskResponse.ok(page))

    output = read(api_token_config(), ["tags"])

    assert [r["name"] for r in records_of(output, "tags")] == ["a"]
    assert sleeps == [2.0]


def test_given_504_on_every_attempt_when_read_then_the_stream_fails_with_a_transient_error(zendesk, sleeps):
    for size in (1000, 500, 250, 125, 62):
        zendesk.expect(_first(size), ZendeskResponse.server_error(504))
    zendesk.expect(_first(50), *[ZendeskResponse.server_error(504)] * 11)

    output = read(api_token_config(), ["tickets"], expect_failure=True)

    (trace,) = [t for t in error_traces(output) if t.stream_descriptor]
    assert trace.failure_type == FailureType.transient_error
    assert records_of(output, "tickets") == []


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://a.zendesk.com/x.json?cursor=MTU%2B3%3D&per_page=1000", "https://a.zendesk.com/x.json?cursor=MTU%2B3%3D&per_page=250"),
        ("https://a.zendesk.com/x.json?cursor=a+b=&include=metric_sets", "https://a.zendesk.com/x.json?cursor=a+b=&include=metric_sets&per_page=250"),
        ("https://a.zendesk.com/x.json", "https://a.zendesk.com/x.json?per_page=250"),
    ],
)  # fmt: skip
def test_given_a_next_page_url_when_the_size_is_set_then_only_that_parameter_changes(url, expected):
    assert with_param(url, "per_page", 250) == expected


def test_given_the_maximum_size_then_a_url_without_a_size_is_left_alone():
    size = PageSize(1000)
    url = "https://a.zendesk.com/x.json?cursor=c"
    assert size.applied_to(url, "per_page") == url
    size.shrink()
    assert size.applied_to(url, "per_page") == url + "&per_page=500"
