"""Mutations of the three custom field lists: a field added, renamed (id and key kept), deactivated (it stays listed,
inactive, and leaves the records' values) and deleted; the records follow without moving their updated_at."""

from __future__ import annotations

import pytest

from zendesk_emulator.data.timefmt import iso

from .test_account_helpers import ANCHOR, Client, make_account, offset_pages, records

NOW = int(ANCHOR) + 1000
PERSON_LISTS = [("user_fields", "users", "user_fields"), ("organization_fields", "organizations", "organization_fields")]


@pytest.fixture
def fresh():
    account, clock = make_account(tickets=200)
    clock.advance(1000)
    return account, Client(account)


def _fields(client: Client, resource: str) -> dict[int, dict]:
    return {f["id"]: f for f in records(offset_pages(client, f"{resource}.json"), resource)}


@pytest.mark.parametrize(("resource", "records_path", "values_key"), PERSON_LISTS)
def test_given_user_and_organization_fields_renamed_added_and_deactivated_then_keys_stay_and_values_follow(
        fresh, resource, records_path, values_key):
    account, client = fresh
    before = _fields(client, resource)
    first = records(offset_pages(client, f"{records_path}.json"), records_path)[0]

    renamed = account.mutate(resource, update=1)["updated"]
    added = account.mutate(resource, create=1)["created"]
    off = account.mutate(resource, deactivate=1)["deactivated"]

    after = _fields(client, resource)
    (old,), (new,), (inactive,) = renamed, added, off
    assert after[old]["key"] == before[old]["key"] and after[old]["title"] != before[old]["title"]
    assert after[old]["raw_title"] == after[old]["title"] and after[old]["updated_at"] == iso(NOW)
    assert after[new]["type"] == "text" and after[new]["active"] and after[new]["created_at"] == iso(NOW)
    assert after[inactive]["active"] is False and after[inactive]["updated_at"] == iso(NOW)
    again = next(r for r in records(offset_pages(client, f"{records_path}.json"), records_path) if r["id"] == first["id"])
    keys = {f["key"] for f in after.values() if f["active"]}
    assert set(again[values_key]) == keys and after[inactive]["key"] not in keys
    assert again["updated_at"] == first["updated_at"]


def test_given_ticket_fields_renamed_and_deactivated_then_ids_stay_and_tickets_drop_the_inactive_ones(fresh):
    account, client = fresh
    before = _fields(client, "ticket_fields")
    ticket = client.get("tickets/3.json")["ticket"]

    (renamed,) = account.mutate("ticket_fields", update=1)["updated"]
    summary = account.mutate("ticket_fields", deactivate=2)

    after = _fields(client, "ticket_fields")
    assert set(after) == set(before) and after[renamed]["title"] != before[renamed]["title"]
    assert after[renamed]["title_in_portal"] == after[renamed]["title"]
    off = summary["deactivated"]
    assert len(off) == 2 and all(after[i]["active"] is False and after[i]["updated_at"] == iso(NOW) for i in off)
    again = client.get("tickets/3.json")["ticket"]
    assert again["custom_fields"] == [f for f in ticket["custom_fields"] if f["id"] not in off]
    assert again["updated_at"] == ticket["updated_at"]
    kinds = {f["id"]: f["type"] for f in after.values()}
    assert not {kinds[i] for i in off} & {"tagger", "multiselect", "checkbox"}  # the fields tags come from stay


def test_given_deactivate_on_another_resource_then_value_error(fresh):
    account, _ = fresh
    with pytest.raises(ValueError, match="custom field lists"):
        account.mutate("macros", deactivate=1)
