"""Custom objects: the object list, each object's fields and records, the record export's cursor rules, the truths
and the mutations (data/custom_objects.py, api/custom_object_routes.py)."""

from __future__ import annotations

import pytest

from .test_account_helpers import ANCHOR, Client, cursor_pages, export_pages, make_account, records

TYPES = {"text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "dropdown", "multiselect", "lookup"}


@pytest.fixture(scope="module")
def account():
    return make_account(tickets=600)[0]


def _export(client: Client, key: str, **params) -> list[dict]:
    return records(export_pages(client, f"incremental/custom_objects/{key}/cursor.json", **params), "custom_object_records")


def test_given_the_account_then_its_objects_fields_and_records_are_listed_as_the_truth_has_them(account):
    client = Client(account)
    listed = client.get("custom_objects.json")["custom_objects"]
    assert [o["key"] for o in listed] == ["product", "asset", "service_contract"]
    assert {(o["key"], o["updated_at"]) for o in listed} == {(t["key"], t["updated_at"]) for t in account.truth("custom_objects")}
    fields = {o["key"]: records(cursor_pages(client, f"custom_objects/{o['key']}/fields.json", **{"page[size]": 4}),
                                "custom_object_fields") for o in listed}
    assert {f["type"] for fs in fields.values() for f in fs} == TYPES
    assert {f["relationship_target_type"] for fs in fields.values() for f in fs if f["type"] == "lookup"} == {
        "zen:user", "zen:organization", "zen:ticket", "zen:custom_object:product"}
    assert sorted((f["id"], key) for key, fs in fields.items() for f in fs) == sorted(
        (t["id"], t["custom_object_key"]) for t in account.truth("custom_object_fields"))
    assert client.get("custom_objects/nothing/fields.json", status=404)
    assert account.route_name("GET", "/api/v2/incremental/custom_objects/asset/cursor.json") == \
        "incremental/custom_objects/{id}/cursor"
    assert account.is_incremental_export("/api/v2/incremental/custom_objects/asset/cursor.json")  # 10 a minute


def test_given_records_then_every_lookup_points_at_a_record_of_the_account(account):
    client = Client(account)
    assets = _export(client, "asset", start_time=0)
    assert len(assets) == 30  # one per 20 tickets
    products = {r["id"] for r in _export(client, "product", start_time=0)}
    owners = [r["custom_object_fields"]["owner"] for r in assets if r["custom_object_fields"]["owner"]]
    assert owners and all(client.get(f"users/{owner}.json")["user"]["active"] for owner in owners)
    assert {r["custom_object_fields"]["product"] for r in assets} - {None} <= products
    contracts = _export(client, "service_contract", start_time=0)
    assert all(client.get(f"tickets/{r['custom_object_fields']['last_ticket']}.json")
               for r in contracts if r["custom_object_fields"]["last_ticket"])
    listed = records(cursor_pages(client, "custom_objects/asset/records.json"), "custom_object_records")
    assert sorted(r["id"] for r in listed) == sorted(r["id"] for r in assets)


def test_given_the_record_export_then_it_follows_zendesks_cursor_rules(account):
    client = Client(account)
    pages = export_pages(client, "incremental/custom_objects/asset/cursor.json", start_time=0, per_page=7)
    assert len(pages) == 5 and all(len(p["custom_object_records"]) <= 7 for p in pages)
    assert [p["meta"]["has_more"] for p in pages] == [not p["end_of_stream"] for p in pages]
    assert "start_time" not in pages[0]["after_url"] and "cursor=" in pages[0]["after_url"]
    times = [r["updated_at"] for r in records(pages, "custom_object_records")]
    assert times == sorted(times)
    assert client.get("incremental/custom_objects/asset/cursor.json", status=400)["error"] == "InvalidValue"
    assert client.get("incremental/custom_objects/asset/cursor.json", status=422, start_time=int(ANCHOR) - 30)
    assert client.get("incremental/custom_objects/nothing/cursor.json", status=404, start_time=0)


def test_given_mutations_then_the_export_shows_new_changed_and_deleted_records_and_a_new_object():
    account, clock = make_account(tickets=300)
    client = Client(account)
    clock.advance(600)
    before = {r["id"]: r for r in account.truth("custom_object_records")}
    made = account.mutate("custom_object_records", create=2, update=2, delete=2)
    objects = account.mutate("custom_objects", create=1, update=1)
    clock.advance(120)
    after = {r["id"]: r for r in account.truth("custom_object_records")}
    assert set(made["created"]) <= after.keys() and all(after[i]["name"] == "[DELETED]" for i in made["deleted"])
    since = int(ANCHOR) + 500
    changed = {r["id"] for o in account.truth("custom_objects") for r in _export(client, o["key"], start_time=since)}
    expected = {i for i, r in after.items() if before.get(i) != r}
    assert len(expected) == 2 + 2 + 2 + 3 and expected == changed  # 3: the new object's records
    assert len(_export(client, objects["created"][0], start_time=0)) == 3
    gone = made["deleted"][0]
    key = after[gone]["custom_object_key"]
    assert gone in {r["id"] for r in _export(client, key, start_time=0)}
    assert gone not in {r["id"] for r in _export(client, key, start_time=0, **{"filter[exclude_deleted]": "true"})}
    assert gone not in {r["id"] for r in records(cursor_pages(client, f"custom_objects/{key}/records.json"),
                                                "custom_object_records")}
    deleted = account.mutate("custom_objects", delete=3)["deleted"]
    assert "product" not in deleted and len(deleted) == 3  # a lookup's target is never deleted
    assert [o["key"] for o in account.truth("custom_objects")] == ["product"]


def test_given_the_plans_then_every_one_has_custom_objects_unless_turned_off():
    from zendesk_emulator.resources.registry import GATES
    from zendesk_emulator.settings import PLANS, Settings

    routes = ("custom_objects", "custom_objects/{id}/fields", "incremental/custom_objects/{id}/cursor")
    assert {GATES[route][0] for route in routes} == {"custom_objects"}
    assert not any(Settings(plan=plan).denies(route, "custom_objects") for plan in PLANS for route in routes)
    assert all(Settings(features={"custom_objects": False}).denies(route, "custom_objects") for route in routes)
