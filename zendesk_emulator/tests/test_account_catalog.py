"""The rest of the Support catalog: every list pages (or answers whole) to exactly its ground truth, with Zendesk's
envelopes, filters and sort orders, and the derived records agree with the users, tickets and fields they hang on."""

from __future__ import annotations

import pytest

from zendesk_emulator.data import ids

from .test_account_helpers import Client, cursor_pages, export_pages, make_account, offset_pages, records

ADMIN = ids.USER + 1


@pytest.fixture(scope="module")
def account():
    return make_account()[0]


@pytest.fixture
def client(account):
    return Client(account)


def _same_as_truth(rows: list[dict], truth: list[dict], key: str = "id") -> None:
    fields = list(truth[0])
    got = sorted(({f: r[f] for f in fields} for r in rows), key=lambda r: str(r[key]))
    assert got == sorted(truth, key=lambda r: str(r[key]))


PAGED = [  # path, response key, truth resource
    ("organization_memberships", "organization_memberships", "organization_memberships"),
    ("organization_fields", "organization_fields", "organization_fields"),
    ("user_fields", "user_fields", "user_fields"),
    ("brands", "brands", "brands"),
    ("automations", "automations", "automations"),
    ("triggers", "triggers", "triggers"),
    ("audit_logs", "audit_logs", "audit_logs"),
    ("activities", "activities", "ticket_activities"),
    ("skips", "skips", "ticket_skips"),
    ("satisfaction_ratings", "satisfaction_ratings", "satisfaction_ratings"),
]


@pytest.mark.parametrize(("path", "key", "resource"), PAGED)
def test_given_a_paginated_list_when_paged_both_ways_then_each_returns_exactly_its_truth(client, account, path, key, resource):
    by_cursor = cursor_pages(client, path, **{"page[size]": 37})
    by_offset = offset_pages(client, path, per_page=37)
    assert [r["id"] for r in records(by_cursor, key)] == [r["id"] for r in records(by_offset, key)]
    assert set(by_cursor[0]) >= {key, "meta", "links"} and set(by_offset[0]) >= {key, "next_page", "previous_page", "count"}
    assert all(len(p[key]) == 37 for p in by_cursor[:-1]) and by_offset[0]["count"] == len(records(by_offset, key))
    truth = account.truth(resource)
    assert len(truth) > 1
    _same_as_truth(records(by_cursor, key), truth)


UNPAGINATED = [  # path, response key, truth resource
    ("custom_roles", "custom_roles", "custom_roles"),
    ("business_hours/schedules", "schedules", "schedules"),
    ("slas/policies", "sla_policies", "sla_policies"),
    ("custom_statuses", "custom_statuses", "custom_statuses"),
    ("routing/attributes", "attributes", "account_attributes"),
    ("ticket_forms", "ticket_forms", "ticket_forms"),
]


@pytest.mark.parametrize(("path", "key", "resource"), UNPAGINATED)
def test_given_an_unpaginated_list_when_read_then_one_page_holds_its_truth(client, account, path, key, resource):
    body = client.get(path, per_page=1)
    assert body.get("next_page") is None and "meta" not in body
    _same_as_truth(body[key], account.truth(resource))


def test_given_routing_definitions_when_read_then_both_condition_lists_match_truth(client, account):
    definitions = client.get("routing/attributes/definitions.json")["definitions"]
    assert set(definitions) == {"conditions_all", "conditions_any"}
    rows = [{"subject": d["subject"], "condition": c} for c in ("all", "any") for d in definitions[f"conditions_{c}"]]
    assert rows == account.truth("attribute_definitions") and all(d["title"] for d in definitions["conditions_all"])
    body = client.get("routing/attributes.json", include="attribute_values")
    uuids = {a["id"] for a in body["attributes"]}
    assert all(len(u) == 36 for u in uuids) and {v["attribute_id"] for v in body["attribute_values"]} == uuids
    one = next(iter(uuids))
    assert client.get(f"routing/attributes/{one}.json")["attribute"]["id"] == one


def test_given_org_memberships_then_each_user_with_an_org_has_its_default_one_and_extras_are_not_default(client, account):
    memberships = records(cursor_pages(client, "organization_memberships", **{"page[size]": 100}), "organization_memberships")
    users = account.data.users
    defaults = {m["user_id"]: m["organization_id"] for m in memberships if m["default"]}
    expected = {users.user_id(i): users.organization_id(i) for i in range(len(users))
                if users.cols.active[i] and users.organization_id(i) is not None}
    assert defaults == expected
    extras = [m for m in memberships if not m["default"]]
    assert extras and all(m["organization_id"] != defaults[m["user_id"]] for m in extras)
    user_id = extras[0]["user_id"]
    mine = client.get(f"users/{user_id}/organization_memberships.json")["organization_memberships"]
    assert mine[0]["default"] and len(mine) == 2 and all(m["organization_name"] for m in mine)
    org_id = mine[0]["organization_id"]
    members = client.get(f"organizations/{org_id}/organization_memberships.json")["organization_memberships"]
    assert any(m["user_id"] == user_id for m in members) and all(m["organization_id"] == org_id for m in members)


def test_given_rules_when_filtered_and_sorted_then_zendesk_orders_hold(client, account):
    default = records(offset_pages(client, "triggers"), "triggers")
    assert [t["position"] for t in default] == sorted(t["position"] for t in default)
    alphabetical = client.get("triggers.json", sort_by="alphabetical")["triggers"]
    assert [t["title"].lower() for t in alphabetical] == sorted(t["title"].lower() for t in default)
    newest = records(cursor_pages(client, "triggers", sort="-updated_at", **{"page[size]": 4}), "triggers")
    assert [t["updated_at"] for t in newest] == sorted((t["updated_at"] for t in default), reverse=True)
    by_created = client.get("automations.json", sort_by="created_at")["automations"]  # desc by default for times
    assert [a["created_at"] for a in by_created] == sorted((a["created_at"] for a in by_created), reverse=True)
    inactive = client.get("triggers.json", active="false")["triggers"]
    assert inactive and not any(t["active"] for t in inactive)
    category = default[0]["category_id"]
    assert {t["category_id"] for t in client.get("triggers.json", category_id=category)["triggers"]} == {category}
    active = client.get("automations/active.json")["automations"]
    assert active and all(a["active"] for a in active) and len(active) < len(account.truth("automations"))
    assert client.get(f"triggers/{default[0]['id']}.json")["trigger"]["title"] == default[0]["title"]


def test_given_forms_statuses_and_brands_then_filters_and_references_hold(client, account):
    field_ids = {f["id"] for f in account.truth("ticket_fields")}
    forms = client.get("ticket_forms.json")["ticket_forms"]
    assert all(set(f["ticket_field_ids"]) <= field_ids for f in forms) and sum(f["default"] for f in forms) == 1
    assert client.get("ticket_forms.json", active="false")["ticket_forms"] == []
    statuses = client.get("custom_statuses.json", status_categories="open,pending")["custom_statuses"]
    assert {s["status_category"] for s in statuses} == {"open", "pending"} and len(statuses) == 4
    assert [s["agent_label"] for s in client.get("custom_statuses.json", active="false")["custom_statuses"]] == ["Waiting on vendor"]
    assert len(client.get("custom_statuses.json", default="true")["custom_statuses"]) == 5
    used = {t["custom_status_id"] for t in records(cursor_pages(client, "tickets", **{"page[size]": 100}), "tickets")}
    assert used <= {s["id"] for s in account.truth("custom_statuses")}
    brands = client.get("brands.json")["brands"]
    assert [b["name"] for b in brands] == sorted(b["name"] for b in brands)


def test_given_audit_logs_then_newest_first_with_filters_and_a_created_at_window_carried_in_links(client, account):
    truth = account.truth("audit_logs")
    newest = client.get("audit_logs.json", **{"page[size]": 100})["audit_logs"]
    assert [a["created_at"] for a in newest] == sorted((a["created_at"] for a in newest), reverse=True)
    oldest = client.get("audit_logs.json", sort="created_at", **{"page[size]": 5})["audit_logs"]
    assert [a["created_at"] for a in oldest] == sorted(t["created_at"] for t in truth)[:5]
    stamps = sorted(t["created_at"] for t in truth)
    start, end = stamps[100], stamps[160]
    expected = {t["id"] for t in truth if start <= t["created_at"] <= end}
    for name in ("filter[created_at]", "filter[created_at][]"):
        url = f"audit_logs.json?{name}={start}&{name}={end}&sort=created_at&page[size]=7"
        pages = cursor_pages(client, url)
        assert len(pages) > 2 and all(p["links"]["next"].count("filter[created_at][]=") == 2 for p in pages[:-1])
        assert {a["id"] for a in records(pages, "audit_logs")} == expected
    assert client.get(f"audit_logs.json?filter[created_at][]={start}", status=400)["error"] == "InvalidValue"
    rules = records(offset_pages(client, "audit_logs", **{"filter[source_type]": "rule", "filter[action]": "update"}), "audit_logs")
    assert rules and all(a["source_type"] == "rule" and a["action"] == "update" for a in rules)
    macro = next(a for a in rules if a["source_label"].startswith("Macro: "))
    one = client.get("audit_logs.json", **{"filter[source_type]": "rule", "filter[source_id]": macro["source_id"]})["audit_logs"]
    assert one and {a["source_id"] for a in one} == {macro["source_id"]}
    by_actor = client.get("audit_logs.json", **{"filter[actor_id]": ADMIN})["audit_logs"]
    assert by_actor and {a["actor_id"] for a in by_actor} == {ADMIN}
    ip = by_actor[0]["ip_address"]
    assert {a["ip_address"] for a in client.get("audit_logs.json", **{"filter[ip_address]": ip})["audit_logs"]} == {ip}
    assert client.get(f"audit_logs/{macro['id']}.json")["audit_log"] == macro


def test_given_activities_then_only_the_requesters_within_30_days_with_user_sideloads(client, account):
    pages = cursor_pages(client, "activities", **{"page[size]": 20})
    every = records(pages, "activities")
    assert {a["user_id"] for a in every} == {ADMIN}
    assert [a["created_at"] for a in every] == sorted((a["created_at"] for a in every), reverse=True)
    for page in pages:
        assert {u["id"] for u in page["users"]} == {a["user_id"] for a in page["activities"]}
        assert {u["id"] for u in page["actors"]} == {a["actor_id"] for a in page["activities"]}
    assert all(a["user"]["id"] == a["user_id"] and a["actor"]["id"] == a["actor_id"] for a in every)
    oldest_first = records(cursor_pages(client, "activities", sort="created_at", **{"page[size]": 50}), "activities")
    assert [a["id"] for a in oldest_first] == [a["id"] for a in every][::-1]
    since = sorted(a["created_at"] for a in every)[len(every) // 2]
    recent = records(offset_pages(client, "activities", since=since), "activities")
    assert {a["id"] for a in recent} == {a["id"] for a in every if a["created_at"] >= since}
    assert client.get("activities.json", since="yesterday", status=400)["error"] == "InvalidValue"


def test_given_skips_then_sort_order_ticket_and_user_filters_work(client, account):
    ascending = records(cursor_pages(client, "skips", **{"page[size]": 6}), "skips")
    descending = records(offset_pages(client, "skips", sort_order="desc"), "skips")
    assert [s["created_at"] for s in ascending] == sorted(s["created_at"] for s in ascending)
    assert [s["id"] for s in descending] == [s["id"] for s in ascending][::-1]
    first = ascending[0]
    assert first["ticket"]["id"] == first["ticket_id"]
    assert {s["ticket_id"] for s in client.get("skips.json", ticket_id=first["ticket_id"])["skips"]} == {first["ticket_id"]}
    assert client.get(f"tickets/{first['ticket_id']}/skips.json")["skips"][0]["id"] == first["id"]
    mine = client.get(f"users/{first['user_id']}/skips.json")["skips"]
    assert mine and {s["user_id"] for s in mine} == {first["user_id"]}


def test_given_satisfaction_ratings_then_filters_sort_and_stable_realistic_timestamps(client, account):
    every = records(cursor_pages(client, "satisfaction_ratings", **{"page[size]": 100}), "satisfaction_ratings")
    assert all(r["created_at"] <= r["updated_at"] for r in every)
    assert all(r["created_at"] == r["updated_at"] for r in every if r["score"] == "offered")
    ticket = client.get(f"tickets/{every[5]['ticket_id']}.json")["ticket"]
    assert ticket["satisfaction_rating"]["score"] == every[5]["score"] and ticket["created_at"] <= every[5]["created_at"]
    by_created = records(cursor_pages(client, "satisfaction_ratings", sort="created_at", **{"page[size]": 100}),
                         "satisfaction_ratings")
    assert [r["created_at"] for r in by_created] == sorted(r["created_at"] for r in every)
    bad = client.get("satisfaction_ratings.json", score="bad_with_comment", per_page=100)["satisfaction_ratings"]
    assert bad and all(r["score"] == "bad" and r["comment"] for r in bad)
    received = records(offset_pages(client, "satisfaction_ratings", score="received"), "satisfaction_ratings")
    assert {r["score"] for r in received} == {"good", "bad"}
    stamps = sorted(account.truth("satisfaction_ratings"), key=lambda r: r["updated_at"])
    start, end = (_unix(stamps[i]["updated_at"]) for i in (200, 400))
    window = records(offset_pages(client, "satisfaction_ratings", start_time=start, end_time=end), "satisfaction_ratings")
    assert {r["id"] for r in window} == {r["id"] for r in stamps if start <= _unix(r["updated_at"]) < end}


def _unix(stamp: str) -> int:
    from zendesk_emulator.data.timefmt import parse_iso
    return parse_iso(stamp)


def test_given_side_conversations_then_per_ticket_lists_add_up_to_truth_with_events(client, account):
    truth = account.truth("side_conversations")
    tickets = sorted({r["ticket_id"] for r in truth})
    seen = []
    for ticket_id in tickets:
        pages = cursor_pages(client, f"tickets/{ticket_id}/side_conversations.json", include="events", **{"page[size]": 1})
        for page in pages:
            (thread,) = page["side_conversations"]
            assert thread["ticket_id"] == ticket_id and len(thread["id"]) == 36
            events = page["events"]
            assert events[0]["type"] == "create" and {e["side_conversation_id"] for e in events} == {thread["id"]}
            assert (events[-1]["type"] == "update") == (thread["state"] == "closed")
            assert thread["created_at"] <= thread["updated_at"]
            seen.append({"id": thread["id"], "ticket_id": ticket_id, "updated_at": thread["updated_at"]})
    assert sorted(seen, key=lambda r: r["id"]) == sorted(truth, key=lambda r: r["id"])
    without = next(t for t in range(1, 200) if t not in tickets and not account.data.tickets.cols.deleted[t - 1])
    assert client.get(f"tickets/{without}/side_conversations.json")["side_conversations"] == []
    assert client.get("tickets/999999/side_conversations.json", status=404)["error"] == "RecordNotFound"


def test_given_the_user_export_with_identities_then_each_page_sideloads_its_users_identities(client, account):
    pages = export_pages(client, "incremental/users/cursor.json", start_time=0, include="identities", per_page=200)
    for page in pages:
        users = {u["id"]: u for u in page["users"]}
        owners = {i["user_id"] for i in page["identities"]}
        assert owners == set(users)
        for identity in page["identities"]:
            if identity["type"] == "email":
                assert identity["value"] == users[identity["user_id"]]["email"] and identity["primary"]
            else:
                assert identity["value"] == users[identity["user_id"]]["phone"]
    _same_as_truth(records(pages, "identities"), account.truth("user_identities"))
    user = next(u for u in records(pages, "users") if u["phone"])
    own = client.get(f"users/{user['id']}/identities.json")["identities"]
    assert [i["type"] for i in own] == ["email", "phone_number"]
    assert client.get(f"users/{user['id']}/identities.json", type="phone_number")["identities"] == own[1:]
