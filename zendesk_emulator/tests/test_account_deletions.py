"""Deleted tickets, deleted users, the suspended-ticket queue and views: each list pages to exactly its truth, agrees
with the tickets and users it is derived from, and changes as its mutations say (data/deletions.py, data/views.py)."""

from __future__ import annotations

import pytest

from zendesk_emulator.data import ids
from zendesk_emulator.data.deletions import CAUSES, SUSPENDED_KEPT
from zendesk_emulator.data.timefmt import iso, parse_iso

from .test_account_helpers import ANCHOR, Client, cursor_pages, export_pages, make_account, offset_pages, records

NOW = int(ANCHOR) + 1120
LISTS = [  # path, response key, truth resource, page size
    ("deleted_tickets", "deleted_tickets", "deleted_tickets", 2),
    ("deleted_users", "deleted_users", "deleted_users", 3),
    ("suspended_tickets", "suspended_tickets", "suspended_tickets", 3),
    ("views", "views", "views", 5),
]


@pytest.fixture
def fresh():
    account, clock = make_account(tickets=400)
    clock.advance(1000)
    account.mutate("tickets", 0, 0, 3)  # at least a few deleted tickets in the last 30 days
    clock.advance(120)  # out of the minute the exports hold back
    return account, clock, Client(account)


@pytest.mark.parametrize(("path", "key", "resource", "size"), LISTS)
def test_given_a_list_when_paged_both_ways_then_each_returns_exactly_its_truth(fresh, path, key, resource, size):
    account, _, client = fresh
    by_cursor = records(cursor_pages(client, path, **{"page[size]": size}), key)
    by_offset = records(offset_pages(client, path, per_page=size), key)
    truth = account.truth(resource)
    assert len(truth) > size and [r["id"] for r in by_cursor] == [r["id"] for r in by_offset]
    fields = list(truth[0])
    assert sorted(({f: r[f] for f in fields} for r in by_cursor), key=lambda r: r["id"]) == sorted(truth, key=lambda r: r["id"])


def test_given_deleted_tickets_then_each_is_a_deleted_ticket_of_the_export_deleted_in_the_last_30_days(fresh):
    account, _, client = fresh
    exported = {t["id"]: t for t in records(export_pages(client, "incremental/tickets/cursor.json", start_time=0), "tickets")}
    listed = client.get("deleted_tickets.json")["deleted_tickets"]
    recent = [t for t in exported.values()
              if t["status"] == "deleted" and parse_iso(t["updated_at"]) >= account.data.as_of - 30 * 86400]
    assert sorted(t["id"] for t in listed) == sorted(t["id"] for t in recent)
    for row in listed:
        ticket = exported[row["id"]]
        assert row["deleted_at"] == ticket["updated_at"] and row["subject"] == ticket["subject"]
        assert row["previous_state"] in ("new", "open", "pending", "hold", "solved", "closed")
        assert ids.USER < row["actor"]["id"] < ids.ORGANIZATION and row["actor"]["name"]


def test_given_deleted_tickets_mutations_then_create_deletes_tickets_now_and_delete_scrubs_listed_ones(fresh):
    account, _, client = fresh
    before = {r["id"] for r in account.truth("deleted_tickets")}
    summary = account.mutate("deleted_tickets", 2, 0, 1)
    listed = {r["id"]: r for r in client.get("deleted_tickets.json")["deleted_tickets"]}
    assert set(listed) == (before | set(summary["created"])) - set(summary["deleted"]) and summary["deleted"][0] in before
    assert {listed[t]["deleted_at"] for t in summary["created"]} == {iso(NOW)}
    assert {client.get(f"tickets/{t}.json", status=404)["error"] for t in summary["created"]} == {"RecordNotFound"}
    with pytest.raises(ValueError, match="no update"):
        account.mutate("deleted_tickets", 0, 1, 0)


def test_given_deleted_users_then_they_are_the_exports_inactive_users_and_purging_scrubs_them_everywhere(fresh):
    account, clock, client = fresh
    created = account.mutate("deleted_users", 2, 0, 0)["created"]
    clock.advance(120)
    exported = {u["id"]: u for u in records(export_pages(client, "incremental/users/cursor.json", start_time=0), "users")}
    listed = records(cursor_pages(client, "deleted_users", **{"page[size]": 4}), "deleted_users")
    assert listed == sorted((u for u in exported.values() if not u["active"]), key=lambda u: u["id"])
    assert set(created) <= {u["id"] for u in listed}
    assert client.get("deleted_users/count.json")["count"]["value"] == len(listed)
    purged = account.mutate("deleted_users", 0, 0, 1)["deleted"][0]
    user = client.get(f"deleted_users/{purged}.json")["deleted_user"]
    assert (user["name"], user["email"], user["phone"], user["updated_at"]) == ("Permanently Deleted User", None, None,
                                                                                iso(NOW + 120))
    assert client.get(f"users/{purged}.json")["user"]["name"] == "Permanently Deleted User"


def test_given_the_suspension_queue_then_causes_come_from_zendesks_reference_and_ticket_updates_name_live_tickets(fresh):
    account, _, client = fresh
    queue = records(cursor_pages(client, "suspended_tickets", **{"page[size]": 4}), "suspended_tickets")
    assert [parse_iso(s["created_at"]) for s in queue] == sorted((parse_iso(s["created_at"]) for s in queue), reverse=True)
    causes = {cause_id: name for cause_id, name, _ in CAUSES}
    assert all(causes[s["cause_id"]] == s["cause"] for s in queue) and len({s["cause_id"] for s in queue}) > 2
    assert all(parse_iso(s["created_at"]) >= account.data.as_of - SUSPENDED_KEPT for s in queue)
    for s in (s for s in queue if s["ticket_id"]):
        assert client.get(f"tickets/{s['ticket_id']}.json")["ticket"]["id"] == s["ticket_id"]
    summary = account.mutate("suspended_tickets", 2, 0, 1)
    after = {s["id"]: s for s in client.get("suspended_tickets.json")["suspended_tickets"]}
    assert set(after) == ({s["id"] for s in queue} | set(summary["created"])) - set(summary["deleted"])
    assert {after[i]["created_at"] for i in summary["created"]} == {iso(NOW)}
    with pytest.raises(ValueError, match="never edited"):
        account.mutate("suspended_tickets", 0, 1, 0)


def test_given_views_mutations_then_the_list_follows_and_the_audit_log_records_them(fresh):
    account, _, client = fresh
    before = {v["id"] for v in account.truth("views")}
    summary = account.mutate("views", 1, 1, 1)
    listed = {v["id"]: v for v in records(offset_pages(client, "views"), "views")}
    assert set(listed) == (before | set(summary["created"])) - set(summary["deleted"])
    assert {listed[i]["updated_at"] for i in summary["created"] + summary["updated"]} == {iso(NOW)}
    assert all(v["conditions"]["all"] and v["execution"]["columns"] for v in listed.values())
    logged = client.get("audit_logs.json", **{"filter[source_type]": "rule"})["audit_logs"]
    assert {e["source_id"] for e in logged if e["created_at"] == iso(NOW)} >= set(summary["created"] + summary["updated"])
