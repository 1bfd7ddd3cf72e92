"""What is particular to the incremental exports: tickets, ticket_metrics, users and organizations."""

from __future__ import annotations

from airbyte_cdk.models import FailureType

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of
from .zendesk_http import ZendeskRequest, ZendeskResponse, export_page, iso, record, time_export_page


def _ticket(ticket_id: int, generated: int, **fields) -> dict:
    return record("tickets", "tickets", id=ticket_id, generated_timestamp=generated, **fields)


def _org(org_id: int, updated: int) -> dict:
    return record("organizations", "organizations", id=org_id, updated_at=iso(updated))


# -- tickets ------------------------------------------------------------------------------------------------------
def test_given_deleted_tickets_in_the_export_when_read_then_they_are_emitted_with_their_status(zendesk):
    tickets = [_ticket(1, START + 10, status="open"), _ticket(2, START + 20, status="deleted")]
    zendesk.expect(
        ZendeskRequest.ticket_export(START), ZendeskResponse.ok(export_page("tickets", "tickets", tickets, None))
    )

    output = read(api_token_config(), ["tickets"])

    assert [(r["id"], r["status"]) for r in records_of(output, "tickets")] == [(1, "open"), (2, "deleted")]


def test_given_an_empty_page_before_the_end_of_stream_when_read_then_the_export_goes_on(zendesk):
    page_2 = ZendeskRequest.export_after("tickets", "c2")
    page_3 = ZendeskRequest.export_after("tickets", "c3")
    zendesk.expect(
        ZendeskRequest.ticket_export(START),
        ZendeskResponse.ok(export_page("tickets", "tickets", [_ticket(1, START + 10)], page_2)),
    )
    zendesk.expect(page_2, ZendeskResponse.ok(export_page("tickets", "tickets", [], page_3)))
    zendesk.expect(page_3, ZendeskResponse.ok(export_page("tickets", "tickets", [_ticket(2, START + 30)], None)))  # fmt: skip

    output = read(api_token_config(), ["tickets"])

    assert [r["id"] for r in records_of(output, "tickets")] == [1, 2]
    # Mid-export states also hold the next page's cursor URL (a resumed sync starts exactly there); the last does not.
    assert states_of(output, "tickets") == [
        {"generated_timestamp": START + 10, "_walk": {"after_url": page_2.url}},
        {"generated_timestamp": START + 10, "_walk": {"after_url": page_3.url}},
        {"generated_timestamp": START + 30},
    ]


def test_given_a_ticket_whose_updated_at_is_older_than_its_generated_timestamp_then_state_follows_generated_timestamp(
    zendesk,
):
    ticket = _ticket(1, START + 5 * DAY, updated_at=iso(START + DAY))
    zendesk.expect(
        ZendeskRequest.ticket_export(START),
        ZendeskResponse.ok(export_page("tickets", "tickets", [ticket], None)),
    )

    output = read(api_token_config(), ["tickets"])

    assert states_of(output, "tickets")[-1] == {"generated_timestamp": START + 5 * DAY}


def test_given_a_next_page_on_another_host_when_read_then_it_is_not_followed(zendesk):
    evil = ZendeskRequest("https://evil.example.com/api/v2/incremental/tickets/cursor.json", (("cursor", "x"),))
    zendesk.expect(ZendeskRequest.ticket_export(START),
                   ZendeskResponse.ok(export_page("tickets", "tickets", [_ticket(1, START + 10)], evil)))  # fmt: skip

    output = read(api_token_config(), ["tickets"], expect_failure=True)

    (trace,) = [t for t in error_traces(output) if t.stream_descriptor]
    assert "another host (evil.example.com)" in trace.message
    assert trace.failure_type == FailureType.system_error


# -- ticket_metrics -----------------------------------------------------------------------------------------------
def test_given_tickets_with_metric_sets_when_read_ticket_metrics_then_only_metric_sets_and_the_tickets_position(
    zendesk,
):
    page_2 = ZendeskRequest.export_after("tickets", "c2", "metric_sets")
    first = export_page("ticket_metrics", "tickets", [_ticket(1, START + 10), _ticket(2, START + 20)], page_2)
    first["metric_sets"] = [record("ticket_metrics", "metric_sets", id=11, ticket_id=1, updated_at=iso(START))]
    second = export_page("ticket_metrics", "tickets", [_ticket(3, START + 30)], None)
    second["metric_sets"] = [record("ticket_metrics", "metric_sets", id=13, ticket_id=3)]
    zendesk.expect(ZendeskRequest.ticket_metrics_export(START), ZendeskResponse.ok(first))
    zendesk.expect(page_2, ZendeskResponse.ok(second))

    output = read(api_token_config(), ["ticket_metrics"])

    # Ticket 2 had no metric set (a deleted ticket can lack one); its position still counts.
    assert [(r["id"], r["ticket_id"]) for r in records_of(output, "ticket_metrics")] == [(11, 1), (13, 3)]
    assert states_of(output, "ticket_metrics") == [
        {"generated_timestamp": START + 20, "_walk": {"after_url": page_2.url}},
        {"generated_timestamp": START + 30},
    ]
    assert len(zendesk.history) == 2  # two export pages, never a request per ticket


# -- users --------------------------------------------------------------------------------------------------------
def test_given_users_over_two_pages_when_read_then_state_is_the_newest_updated_at_after_each_page(zendesk):
    page_2 = ZendeskRequest.export_after("users", "c2")
    users = [record("users", "users", id=i, updated_at=iso(START + i * DAY)) for i in (1, 2, 3)]
    zendesk.expect(
        ZendeskRequest.user_export(START), ZendeskResponse.ok(export_page("users", "users", users[:2], page_2))
    )
    zendesk.expect(page_2, ZendeskResponse.ok(export_page("users", "users", users[2:], None)))

    output = read(api_token_config(), ["users"])

    assert states_of(output, "users") == [
        {"updated_at": iso(START + 2 * DAY), "_walk": {"after_url": page_2.url}},
        {"updated_at": iso(START + 3 * DAY)},
    ]


# -- organizations ------------------------------------------------------------------------------------------------
def test_given_boundary_records_repeated_on_the_next_page_when_read_then_each_is_emitted_once(zendesk):
    boundary = START + DAY
    second_page = ZendeskRequest.organization_export(boundary)
    zendesk.expect(
        ZendeskRequest.organization_export(START),
        ZendeskResponse.ok(
            time_export_page([_org(1, START + 10), _org(2, boundary), _org(3, boundary)], boundary, second_page)
        ),
    )
    # start_time is inclusive: Zendesk sends 2 and 3 again, with 4 that shares their second and 5 that is newer.
    zendesk.expect(second_page,
                   ZendeskResponse.ok(time_export_page([_org(2, boundary), _org(3, boundary), _org(4, boundary), _org(5, boundary + 9)],
                                                       boundary + 9, None)))  # fmt: skip

    output = read(api_token_config(), ["organizations"])

    assert [r["id"] for r in records_of(output, "organizations")] == [1, 2, 3, 4, 5]
    assert states_of(output, "organizations") == [{"updated_at": iso(boundary)}, {"updated_at": iso(boundary + 9)}]


def test_given_a_burst_of_records_in_one_second_when_read_then_none_is_lost_or_repeated(zendesk):
    burst = START + DAY
    in_burst = [_org(i, burst) for i in range(1, 1201)]  # more than a page's 1,000, all in the same second
    second_page = ZendeskRequest.organization_export(burst)
    # Zendesk extends the page so it holds the whole second; the next page starts at that second again.
    zendesk.expect(
        ZendeskRequest.organization_export(START), ZendeskResponse.ok(time_export_page(in_burst, burst, second_page))
    )
    zendesk.expect(
        second_page, ZendeskResponse.ok(time_export_page(in_burst + [_org(5000, burst + 1)], burst + 1, None))
    )

    output = read(api_token_config(), ["organizations"])

    ids = [r["id"] for r in records_of(output, "organizations")]
    assert ids == list(range(1, 1201)) + [5000]


def test_given_a_next_page_identical_to_the_last_request_when_read_then_a_clear_error_instead_of_a_loop(zendesk):
    burst = START + DAY
    stuck = ZendeskRequest.organization_export(burst)
    zendesk.expect(
        ZendeskRequest.organization_export(START), ZendeskResponse.ok(time_export_page([_org(1, burst)], burst, stuck))
    )
    # Zendesk could not move end_time past the burst: following next_page would ask the same thing forever.
    zendesk.expect(stuck, ZendeskResponse.ok(time_export_page([_org(1, burst), _org(2, burst)], burst, stuck)))

    output = read(api_token_config(), ["organizations"], expect_failure=True)

    (trace,) = [t for t in error_traces(output) if t.stream_descriptor]
    assert "stopping instead of looping" in trace.message
    assert [r["id"] for r in records_of(output, "organizations")] == [1, 2]
    assert states_of(output, "organizations") == [{"updated_at": iso(burst)}]
