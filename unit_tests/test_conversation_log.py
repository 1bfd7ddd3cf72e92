"""conversation_log: the ticket export's pages, then the log of each messaging ticket on them, and no request for
any other ticket."""

from __future__ import annotations

from .harness import DAY, START, api_token_config, read, records_of, states_of
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskRequest, ZendeskResponse, template

STREAM = "conversation_log"
TICKETS = BY_NAME["tickets"]


def _log(ticket: int, after: str | None = None) -> ZendeskRequest:
    query = (("page[size]", "100"),) + ((("page[after]", after),) if after else ())
    return ZendeskRequest(f"tickets/{ticket}/conversation_log.json", query)


def _log_page(ticket: int, numbers: list[int], following: ZendeskRequest | None = None) -> ZendeskResponse:
    body = template(STREAM)
    entry = body["events"][0]
    body["events"] = [{**entry, "id": f"entry-{ticket}-{n}"} for n in numbers]
    body["meta"] = {"has_more": following is not None, "after_cursor": "c", "before_cursor": None}
    body["links"] = {"next": following.url if following else None, "prev": None}
    return ZendeskResponse.ok(body)


def _export(zendesk, channels: dict[int, str], deleted: tuple[int, ...] = ()) -> None:
    ((request, body),) = TICKETS.script(START, [[(ticket, START + ticket * DAY) for ticket in channels]])
    for ticket in body["tickets"]:
        ticket["via"] = {"channel": channels[ticket["id"]], "source": {"from": {}, "to": {}, "rel": None}}
        ticket["status"] = "deleted" if ticket["id"] in deleted else "open"
    zendesk.expect(request, ZendeskResponse.ok(body))


def test_given_tickets_of_several_channels_when_read_then_only_messaging_tickets_are_asked_for_their_log(zendesk):
    _export(zendesk, {1: "web", 2: "whatsapp", 3: "email", 4: "native_messaging", 5: "native_messaging"}, deleted=(5,))
    zendesk.expect(_log(2), _log_page(2, [1, 2], following=_log(2, after="c")))
    zendesk.expect(_log(2, after="c"), _log_page(2, [3]))
    zendesk.expect(_log(4), _log_page(4, [1]))

    output = read(api_token_config(), [STREAM])

    rows = records_of(output, STREAM)
    assert [(r["ticket_id"], r["id"]) for r in rows] == [(2, "entry-2-1"), (2, "entry-2-2"), (2, "entry-2-3"),
                                                          (4, "entry-4-1")]  # fmt: skip
    assert states_of(output, STREAM)[-1] == {"generated_timestamp": START + 5 * DAY}
    summary = [m.log.message for m in output.logs if m.log.message.startswith(f"{STREAM}:")]
    assert summary[-1] == f"{STREAM}: 3 per-ticket requests for 2 tickets (3 tickets skipped as they cannot have any, " \
                          "0 refused by Zendesk)"


def test_given_an_account_without_messaging_when_read_then_no_ticket_costs_a_request(zendesk):
    _export(zendesk, {1: "web", 2: "email", 3: "api"})

    output = read(api_token_config(), [STREAM])

    assert records_of(output, STREAM) == []
    assert len(zendesk.history) == 1  # the export page only
    assert states_of(output, STREAM)[-1] == {"generated_timestamp": START + 3 * DAY}


def test_given_tickets_synced_too_when_read_then_the_export_is_asked_once_for_both(zendesk):
    _export(zendesk, {1: "web", 2: "instagram_dm"})
    zendesk.expect(_log(2), _log_page(2, [1]))

    output = read(api_token_config(), ["tickets", STREAM])

    assert len(zendesk.history) == 2  # one export page for both streams, one log
    assert [r["id"] for r in records_of(output, "tickets")] == [1, 2]
    assert [(r["ticket_id"], r["id"]) for r in records_of(output, STREAM)] == [(2, "entry-2-1")]
