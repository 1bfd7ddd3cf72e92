"""Mutations: what each one does to exports, lists, sub-resources and ground truth, and that they are replayable."""

from __future__ import annotations

import pytest

from .test_account_helpers import ANCHOR, Client, cursor_pages, export_pages, make_account, records, time_pages

NOW = int(ANCHOR) + 1000


def _fresh(**sizes):
    account, clock = make_account(tickets=400, **sizes)
    clock.advance(1000)
    return account, clock, Client(account)


def _export_after(client: Client, clock, start: int) -> list[dict]:
    clock.advance(61)
    return records(export_pages(client, "incremental/tickets/cursor.json", start_time=start), "tickets")


def test_given_updated_tickets_when_exported_then_timestamps_audits_and_metrics_moved_to_now():
    account, clock, client = _fresh()
    before = {t["id"]: t for t in account.truth("tickets")}
    summary = account.mutate("tickets", 0, 4, 0)
    assert summary["resource"] == "tickets" and len(summary["updated"]) == 4 and summary["at"].endswith("Z")
    changed = {t["id"]: t for t in _export_after(client, clock, NOW)}
    assert set(changed) == set(summary["updated"])
    for tid in summary["updated"]:
        assert changed[tid]["generated_timestamp"] == NOW and before[tid]["generated_timestamp"] < NOW
        audits = client.get(f"tickets/{tid}/audits.json")["audits"]
        last = audits[-1]
        assert last["created_at"] == changed[tid]["updated_at"]
        assert last["events"][0]["type"] == "Comment" and last["events"][0]["audit_id"] == last["id"]
        for event in last["events"][1:]:
            assert event["type"] == "Change" and "previous_value" in event
        status_changes = [e for e in last["events"] if e.get("field_name") == "status"]
        if status_changes:
            assert status_changes[0]["value"] == changed[tid]["status"]
        metric = client.get(f"tickets/{tid}/metrics.json")["ticket_metric"]
        assert metric["updated_at"] == changed[tid]["updated_at"]
    truth = {t["id"]: t for t in account.truth("tickets")}
    assert all(truth[tid]["generated_timestamp"] == NOW for tid in summary["updated"])
    newest = client.get("ticket_audits.json", limit=4)["audits"]
    assert {a["ticket_id"] for a in newest} == set(summary["updated"])
    assert {a["id"] for a in newest} <= {a["id"] for a in account.truth("ticket_audits")}


def test_given_created_tickets_when_exported_then_they_appear_everywhere_with_a_create_audit():
    account, clock, client = _fresh()
    summary = account.mutate("tickets", 3, 0, 0)
    assert summary["created"] == [401, 402, 403]
    exported = _export_after(client, clock, NOW)
    assert [t["id"] for t in exported] == [401, 402, 403]
    assert all(t["status"] == "new" and t["created_at"] == t["updated_at"] for t in exported)
    listed = [t["id"] for t in records(cursor_pages(client, "tickets.json", **{"page[size]": 100}), "tickets")]
    assert listed[-3:] == [401, 402, 403]
    audit = client.get("tickets/402/audits.json")["audits"][0]
    assert {e["type"] for e in audit["events"]} >= {"Comment", "Create"}
    assert {t["id"] for t in account.truth("tickets")} >= {401, 402, 403}
    assert 402 in {m["ticket_id"] for m in account.truth("ticket_metrics")}


def test_given_deleted_tickets_when_read_then_exported_as_deleted_and_gone_from_lists():
    account, clock, client = _fresh()
    gone = account.mutate("tickets", 0, 0, 2)["deleted"]
    exported = {t["id"]: t for t in _export_after(client, clock, NOW)}
    assert set(exported) == set(gone) and all(exported[t]["status"] == "deleted" for t in gone)
    listed = {t["id"] for t in records(cursor_pages(client, "tickets.json", **{"page[size]": 100}), "tickets")}
    assert not listed & set(gone)
    assert not {m["ticket_id"] for m in account.truth("ticket_metrics")} & set(gone)
    assert not {a["ticket_id"] for a in account.truth("ticket_audits")} & set(gone)
    assert set(gone) <= {t["id"] for t in account.truth("tickets")}
    assert client.get(f"tickets/{gone[0]}.json", status=404)["error"] == "RecordNotFound"


def test_given_deleted_users_and_organizations_when_exported_then_flagged_not_dropped():
    account, clock, client = _fresh()
    users = account.mutate("users", 1, 1, 2)
    orgs = account.mutate("organizations", 1, 1, 1)
    clock.advance(61)
    exported = {u["id"]: u for u in records(export_pages(client, "incremental/users/cursor.json", start_time=NOW), "users")}
    assert set(exported) == set(users["created"] + users["updated"] + users["deleted"])
    assert all(exported[u]["active"] is False for u in users["deleted"])
    listed = {u["id"] for u in records(cursor_pages(client, "users", **{"page[size]": 100}), "users")}
    assert not listed & set(users["deleted"]) and set(users["created"]) <= listed
    org_pages = records(time_pages(client, "incremental/organizations.json", start_time=NOW), "organizations")
    by_id = {o["id"]: o for o in org_pages}
    assert by_id[orgs["deleted"][0]]["deleted_at"] is not None and by_id[orgs["created"][0]]["deleted_at"] is None
    assert client.get(f"organizations/{orgs['deleted'][0]}.json", status=404)
    truth = {o["id"]: o for o in account.truth("organizations")}
    assert all(truth[o]["updated_at"] == by_id[o]["updated_at"] for o in by_id)


def test_given_deleted_groups_when_listed_then_hidden_by_default_and_memberships_removed():
    account, clock, client = _fresh()
    summary = account.mutate("groups", 1, 1, 1)
    deleted = summary["deleted"][0]
    default = {g["id"] for g in client.get("groups.json")["groups"]}
    everything = {g["id"]: g for g in client.get("groups.json", exclude_deleted="false")["groups"]}
    assert deleted not in default and everything[deleted]["deleted"] is True
    assert summary["created"][0] in default
    assert everything[deleted]["updated_at"] == summary["at"]
    assert deleted not in {m["group_id"] for m in client.get("group_memberships.json")["group_memberships"]}
    assert {g["id"] for g in account.truth("groups")} == set(everything)


@pytest.mark.parametrize("resource", ["group_memberships", "macros", "ticket_fields"])
def test_given_catalog_mutations_when_listed_then_lists_and_truth_follow(resource):
    account, clock, client = _fresh()
    summary = account.mutate(resource, 2, 2, 1)
    key = resource
    listed = {r["id"]: r for r in records(cursor_pages(client, f"{resource}.json", **{"page[size]": 100}), key)}
    assert set(summary["created"]) <= set(listed)
    assert not set(summary["deleted"]) & set(listed) and len(summary["deleted"]) == 1
    assert all(listed[i]["updated_at"] == summary["at"] for i in summary["created"] + summary["updated"])
    assert {r["id"] for r in account.truth(resource)} == set(listed)


def test_given_a_new_ticket_field_when_exporting_then_tickets_show_it_empty():
    account, clock, client = _fresh()
    history = account.truth("ticket_field_history")
    field = account.mutate("ticket_fields", 1, 0, 0)["created"][0]
    ticket = client.get("tickets/1.json")["ticket"]
    assert {"id": field, "value": None} in ticket["custom_fields"] and {"id": field, "value": None} in ticket["fields"]
    tickets = records(export_pages(client, "incremental/tickets/cursor.json", start_time=0), "tickets")
    assert all({"id": field, "value": None} in t["custom_fields"] for t in tickets)
    assert account.truth("ticket_field_history") == history  # no history is rewritten: no Create events appear


def test_given_a_deleted_ticket_field_then_the_other_fields_keep_their_values_and_history_is_not_rewritten():
    account, clock, client = _fresh()
    history = account.truth("ticket_field_history")
    export = "incremental/tickets/cursor.json"
    before = {t["id"]: t["custom_fields"] for t in records(export_pages(client, export, start_time=0), "tickets")}
    gone = set(account.mutate("ticket_fields", 0, 0, 1)["deleted"])
    after = {t["id"]: t["custom_fields"] for t in records(export_pages(client, export, start_time=0), "tickets")}
    assert gone and after == {i: [f for f in fields if f["id"] not in gone] for i, fields in before.items()}
    assert account.truth("ticket_field_history") == history  # audits are history: the deleted field's stay


def test_given_tag_mutations_when_listing_tags_then_counts_follow_and_truth_matches():
    account, clock, client = _fresh()
    summary = account.mutate("tags", 2, 1, 1)
    tags = {t["name"]: t["count"] for t in records(cursor_pages(client, "tags.json", **{"page[size]": 100}), "tags")}
    assert all(name in tags for name in summary["created"])
    assert tags == {t["name"]: t["count"] for t in account.truth("tags")}
    removed = summary["deleted"][0]
    live = records(cursor_pages(client, "tickets.json", **{"page[size]": 100}), "tickets")
    assert not any(removed in t["tags"] for t in live)


def test_given_the_same_seed_and_clock_when_mutating_then_the_same_records_change():
    runs = []
    for _ in range(2):
        account, clock, _client = _fresh()
        runs.append([account.mutate(r, 2, 3, 1) for r in ("tickets", "users", "organizations", "groups", "macros", "tags")])
    assert runs[0] == runs[1]


def test_given_bad_arguments_when_mutating_then_value_or_key_error():
    account, clock, client = _fresh()
    with pytest.raises(ValueError):
        account.mutate("tickets", -1, 0, 0)
    with pytest.raises(ValueError):
        account.mutate("ticket_audits", 0, 1, 0)
    with pytest.raises(KeyError):
        account.mutate("spaceships", 1, 0, 0)
    with pytest.raises(KeyError):
        account.truth("spaceships")
    audits = account.mutate("ticket_audits", 2, 0, 0)
    assert len(audits["updated"]) == 2
