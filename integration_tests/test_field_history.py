"""ticket_field_history replays to the tickets: across the whole account, the last value the history gives each
field of a ticket is the value the tickets stream has for it now."""

from __future__ import annotations

from collections import defaultdict

import pytest

from scripts.airbyte_run import configured_catalog

# Ticket fields under the name the history uses, and how to read them off a ticket record.
SYSTEM_FIELDS = ("status", "priority", "type", "subject", "assignee_id", "group_id", "requester_id")


def _same(history_value, ticket_value) -> bool:
    """Zendesk writes ids as strings in some events and numbers in the ticket; lists in any order are one set."""
    if isinstance(history_value, list) or isinstance(ticket_value, list):
        return sorted(map(str, history_value or [])) == sorted(map(str, ticket_value or []))
    return (None if history_value in (None, "") else str(history_value)) == (
        None if ticket_value in (None, "") else str(ticket_value))


@pytest.fixture(scope="module")
def synced(source, discovered_catalog):
    result = source("read", catalog=configured_catalog(discovered_catalog, ["tickets", "ticket_field_history"]))
    assert result.exit_code == 0, result.stderr[-3000:]
    return result.records["tickets"], result.records["ticket_field_history"]


def test_given_a_full_sync_then_the_last_value_of_every_field_in_the_history_is_the_tickets_value(synced):
    tickets, history = synced
    last: dict[tuple, tuple] = {}
    for change in history:
        key = (change["ticket_id"], change["field_name"])
        moment = (change["updated"], change["parent_event_id"], str(change["event_id"]))
        if key not in last or moment >= last[key][0]:
            last[key] = (moment, change["value"])
    compared = defaultdict(int)
    mismatches = []
    for ticket in tickets:
        if ticket["status"] == "deleted":
            continue  # a deleted ticket keeps the history of what it was
        fields = {name: ticket.get(name) for name in SYSTEM_FIELDS}
        fields["tags"] = ticket.get("tags")
        fields.update({str(field["id"]): field.get("value") for field in ticket.get("custom_fields") or []})
        for name, value in fields.items():
            if (ticket["id"], name) not in last:
                assert value in (None, "", []), f"ticket {ticket['id']}: {name} = {value!r} but never set in the history"
                continue
            compared[name] += 1
            if not _same(last[(ticket["id"], name)][1], value):
                mismatches.append((ticket["id"], name, last[(ticket["id"], name)][1], value))
    assert not mismatches, mismatches[:10]
    assert all(compared[name] for name in ("status", "priority", "assignee_id", "tags")), dict(compared)
    assert len(tickets) > 1000 and sum(compared.values()) > 5 * len(tickets)


def test_given_a_full_sync_then_every_change_is_one_record_with_its_previous_value_chained(synced):
    _, history = synced
    assert len({change["id"] for change in history}) == len(history)
    by_field = defaultdict(list)
    for change in history:
        by_field[(change["ticket_id"], change["field_name"])].append(change)
    chained = 0
    for changes in by_field.values():
        changes.sort(key=lambda c: (c["updated"], c["parent_event_id"], str(c["event_id"])))
        for before, after in zip(changes, changes[1:], strict=False):
            if after["event_type"] == "Change":
                assert _same(after["previous_value"], before["value"]), (before, after)
                chained += 1
    assert chained > 1000
