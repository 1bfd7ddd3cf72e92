"""Conversation logs: only messaging tickets have one, consistent with the ticket; a new message brings its ticket
back to the ticket export."""

from __future__ import annotations

import pytest

from zendesk_emulator.data import ids
from zendesk_emulator.data.timefmt import iso

from .test_account_helpers import ANCHOR, Client, cursor_pages, export_pages, make_account, records

NOW = int(ANCHOR) + 1000


@pytest.fixture
def fresh():
    account, clock = make_account(tickets=400)
    clock.advance(1000)
    return account, clock, Client(account)


def test_given_tickets_then_only_messaging_ones_have_a_log_written_by_their_requester_and_assignee(fresh):
    account, _, client = fresh
    tickets = {t["id"]: t for t in records(export_pages(client, "incremental/tickets/cursor.json", start_time=0), "tickets")}
    truth = account.truth("conversation_log")
    messaging = {t for t, row in tickets.items() if row["via"]["channel"] == "native_messaging" and row["status"] != "deleted"}
    assert messaging and {row["ticket_id"] for row in truth} == messaging
    ticket = min(messaging)
    log = records(cursor_pages(client, f"tickets/{ticket}/conversation_log.json", **{"page[size]": 2}), "events")
    assert [e["id"] for e in log] == [r["id"] for r in truth if r["ticket_id"] == ticket] and len(log) >= 2
    row = tickets[ticket]
    assert log[0]["author"]["zen:support:user_id"] == row["requester_id"] and log[0]["created_at"] == row["created_at"]
    agents = {e["author"]["zen:support:user_id"] for e in log if e["author"]["type"] == "agent"}
    assert agents <= {row["assignee_id"]} and all(row["created_at"] <= e["created_at"] <= row["updated_at"] for e in log)
    web = next(t for t, r in tickets.items() if r["via"]["channel"] == "web")
    assert client.get(f"tickets/{web}/conversation_log.json")["events"] == []


def test_given_a_new_message_then_its_ticket_comes_again_in_the_ticket_export(fresh):
    account, clock, client = fresh
    summary = account.mutate("conversation_log", 2, 0, 0)
    truth = {r["id"]: r for r in account.truth("conversation_log")}
    touched = {truth[i]["ticket_id"] for i in summary["created"]}
    assert all(truth[i]["created_at"] == iso(NOW) for i in summary["created"])
    clock.advance(61)
    exported = records(export_pages(client, "incremental/tickets/cursor.json", start_time=NOW), "tickets")
    assert {t["id"] for t in exported} == touched
    assert ids.USER < min(e["author"]["zen:support:user_id"] for t in touched
                          for e in client.get(f"tickets/{t}/conversation_log.json")["events"][-1:])
    with pytest.raises(ValueError):
        account.mutate("conversation_log", 0, 1, 0)

