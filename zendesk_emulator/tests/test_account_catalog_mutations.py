"""Mutations of the rest of the catalog: created, updated and deleted records show in the lists and the truth at
the mutation's time, the audit log records them, and the derived records follow their tickets and users."""

from __future__ import annotations

import pytest

from zendesk_emulator.data import ids
from zendesk_emulator.data.timefmt import iso

from .test_account_helpers import ANCHOR, Client, cursor_pages, export_pages, make_account, offset_pages, records

NOW = int(ANCHOR) + 1000


@pytest.fixture
def fresh():
    account, clock = make_account(tickets=400)
    clock.advance(1000)
    return account, clock, Client(account)


MUTABLE = [  # resource, list path, response key, (create, update, delete) expected to take effect
    ("automations", "automations", "automations", (2, 2, 1)),
    ("triggers", "triggers", "triggers", (2, 2, 1)),
    ("custom_roles", "custom_roles", "custom_roles", (1, 1, 1)),
    ("schedules", "business_hours/schedules", "schedules", (1, 1, 1)),
    ("sla_policies", "slas/policies", "sla_policies", (1, 1, 1)),
    ("account_attributes", "routing/attributes", "attributes", (1, 1, 1)),
    ("brands", "brands", "brands", (2, 0, 1)),
    ("ticket_forms", "ticket_forms", "ticket_forms", (1, 1, 1)),
    ("user_fields", "user_fields", "user_fields", (1, 1, 1)),
    ("organization_fields", "organization_fields", "organization_fields", (1, 1, 1)),
    ("organization_memberships", "organization_memberships", "organization_memberships", (2, 1, 1)),
]


@pytest.mark.parametrize(("resource", "path", "key", "counts"), MUTABLE)
def test_given_a_mutation_when_listing_then_changes_appear_at_the_mutation_time(fresh, resource, path, key, counts):
    account, _, client = fresh
    before = {r["id"] for r in account.truth(resource)}
    summary = account.mutate(resource, *counts)
    assert [len(summary[k]) for k in ("created", "updated", "deleted")] == list(counts)
    listed = records(offset_pages(client, path), key) if key not in ("custom_roles", "schedules", "sla_policies", "attributes") \
        else client.get(path)[key]
    by_id = {r["id"]: r for r in listed}
    assert set(by_id) == {r["id"] for r in account.truth(resource)} == (before | set(summary["created"])) - set(summary["deleted"])
    for record_id in summary["created"] + summary["updated"]:
        assert by_id[record_id]["updated_at"] == iso(NOW)


def test_given_deleted_brands_and_forms_then_tickets_still_name_them_and_defaults_survive(fresh):
    account, _, client = fresh
    account.mutate("brands", 1, 0, 0)
    summary = account.mutate("brands", 0, 0, 5)
    assert summary["deleted"] and ids.BRAND + 1 not in summary["deleted"]
    assert [b["id"] for b in client.get("brands.json")["brands"]] == [ids.BRAND + 1]
    assert client.get(f"brands/{summary['deleted'][0]}.json", status=404)["error"] == "RecordNotFound"
    forms = account.mutate("ticket_forms", 0, 0, 5)["deleted"]
    assert ids.FORM + 1 not in forms and [f["id"] for f in client.get("ticket_forms.json")["ticket_forms"]] == [ids.FORM + 1]
    assert client.get("tickets/1.json")["ticket"]["brand_id"] in (ids.BRAND + 1, ids.BRAND + 2)


def test_given_deleted_ticket_fields_then_forms_drop_them_and_move(fresh):
    account, _, client = fresh
    gone = set(account.mutate("ticket_fields", 0, 0, 2)["deleted"])
    forms = client.get("ticket_forms.json")["ticket_forms"]
    assert gone and not any(gone & set(f["ticket_field_ids"]) for f in forms)
    assert any(f["updated_at"] == iso(NOW) for f in forms)


def test_given_catalog_mutations_then_the_audit_log_records_them_newest_first(fresh):
    account, _, client = fresh
    updated = account.mutate("macros", 0, 1, 0)["updated"][0]
    created = account.mutate("triggers", 1, 0, 0)["created"][0]
    sign_ins = account.mutate("audit_logs", 2, 0, 0)["created"]
    newest = client.get("audit_logs.json", **{"page[size]": 4})["audit_logs"]
    assert [a["id"] for a in newest[:2]] == sorted(sign_ins, reverse=True)
    assert [(a["source_type"], a["action"], a["source_id"]) for a in newest[2:]] == [("rule", "create", created),
                                                                                     ("rule", "update", updated)]
    assert all(a["created_at"] == iso(NOW) for a in newest) and {a["action"] for a in newest[:2]} == {"login"}
    assert {a["id"] for a in account.truth("audit_logs")} >= {a["id"] for a in newest}
    with pytest.raises(ValueError):
        account.mutate("audit_logs", 0, 1, 0)


def test_given_ticket_updates_then_ratings_stay_and_new_activities_reach_the_owner(fresh):
    account, clock, client = fresh
    ratings = {r["id"]: r for r in account.truth("satisfaction_ratings")}
    activities = {a["id"] for a in account.truth("ticket_activities")}
    summary = account.mutate("tickets", 0, 80, 0)
    after = {r["id"]: r for r in account.truth("satisfaction_ratings")}
    assert after == ratings  # a rating's timestamps belong to the survey, not to the ticket's later updates
    new = [a for a in account.truth("ticket_activities") if a["id"] not in activities]
    assert new and all(a["updated_at"] == iso(NOW) for a in new)
    listed = records(cursor_pages(client, "activities", **{"page[size]": 100}), "activities")
    assert {a["id"] for a in listed} == {a["id"] for a in account.truth("ticket_activities")}
    assert all(a["target"]["ticket"]["id"] in summary["updated"] for a in listed if a["created_at"] == iso(NOW))
    deleted = account.mutate("tickets", 0, 0, 40)["deleted"]
    assert not {r["id"] for r in account.truth("satisfaction_ratings")} & {ids.RATING + t for t in deleted}
    assert not {s["ticket_id"] for s in records(offset_pages(client, "skips"), "skips")} & set(deleted)
    with pytest.raises(ValueError):
        account.mutate("satisfaction_ratings", 1, 0, 0)


def test_given_skips_and_side_conversations_mutated_then_they_appear(fresh):
    account, _, client = fresh
    skip = account.mutate("ticket_skips", 1, 0, 0)["created"][0]
    assert {"id": skip, "updated_at": iso(NOW)} in account.truth("ticket_skips")
    assert skip in {s["id"] for s in client.get("skips.json", sort_order="desc", per_page=1)["skips"]}
    summary = account.mutate("side_conversations", 1, 3, 0)
    truth = {r["id"]: r for r in account.truth("side_conversations")}
    assert all(truth[i]["updated_at"] == iso(NOW) for i in summary["created"] + summary["updated"]) and len(summary["updated"]) == 3
    ticket = truth[summary["created"][0]]["ticket_id"]
    listed = client.get(f"tickets/{ticket}/side_conversations.json", include="events")
    thread = next(t for t in listed["side_conversations"] if t["id"] == summary["created"][0])
    assert thread["state"] == "open" and [e["type"] for e in listed["events"] if e["side_conversation_id"] == thread["id"]] == ["create"]
    with pytest.raises(ValueError):
        account.mutate("side_conversations", 0, 0, 1)


def test_given_side_conversations_changed_then_their_tickets_come_again_in_the_ticket_export(fresh):
    # Zendesk records side conversation events on the ticket: a sync following the export finds the changed threads.
    account, clock, client = fresh
    before = {t["id"]: t for t in account.truth("tickets")}
    summary = account.mutate("side_conversations", 2, 3, 0)
    truth = {r["id"]: r["ticket_id"] for r in account.truth("side_conversations")}
    touched = {truth[i] for i in summary["created"] + summary["updated"]}
    clock.advance(61)
    exported = {t["id"]: t for t in records(export_pages(client, "incremental/tickets/cursor.json", start_time=NOW), "tickets")}
    assert set(exported) == touched and len(touched) >= 3
    for ticket in touched:
        assert exported[ticket]["generated_timestamp"] == NOW > before[ticket]["generated_timestamp"]
        assert exported[ticket]["updated_at"] == before[ticket]["updated_at"]  # nothing the requester sees changed
    assert {t["id"]: t["generated_timestamp"] for t in account.truth("tickets") if t["id"] in touched} == dict.fromkeys(touched, NOW)


def test_given_make_default_then_the_users_organization_follows_and_the_user_is_updated(fresh):
    account, clock, client = fresh
    made = account.mutate("organization_memberships", 0, 1, 0)["updated"][0]
    membership = client.get(f"organization_memberships/{made}.json")["organization_membership"]
    assert membership["default"] and membership["updated_at"] == iso(NOW)
    user = client.get(f"users/{membership['user_id']}.json")["user"]
    assert user["organization_id"] == membership["organization_id"] and user["updated_at"] == iso(NOW)
    mine = client.get(f"users/{user['id']}/organization_memberships.json")["organization_memberships"]
    assert [m["id"] for m in mine if m["default"]] == [made] and len(mine) == 2


def test_given_new_users_then_the_export_sideloads_their_identities(fresh):
    account, clock, client = fresh
    created = account.mutate("users", 2, 0, 0)["created"]
    clock.advance(61)
    pages = export_pages(client, "incremental/users/cursor.json", start_time=NOW, include="identities")
    identities = records(pages, "identities")
    assert {i["user_id"] for i in identities} == {u["id"] for u in records(pages, "users")} >= set(created)
    truth = {(i["id"], i["user_id"], i["updated_at"]) for i in account.truth("user_identities")}
    assert {(i["id"], i["user_id"], i["updated_at"]) for i in identities} <= truth


def test_given_users_updated_and_deleted_then_no_surviving_membership_changes_unless_made_default(fresh):
    """Derived records move only when they change: a user's update (tags, notes) is not a membership change, and
    a membership must never reappear with an old `updated_at` (an incremental sync would miss it)."""
    account, _, client = fresh
    before = {m["id"]: m for m in records(cursor_pages(client, "organization_memberships", **{"page[size]": 100}), "organization_memberships")}

    account.mutate("users", create=0, update=60, delete=5)

    after = {m["id"]: m for m in records(cursor_pages(client, "organization_memberships", **{"page[size]": 100}), "organization_memberships")}
    assert set(after) <= set(before)
    assert {k: v for k, v in after.items() if v != before[k]} == {}
