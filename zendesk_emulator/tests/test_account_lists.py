"""List endpoints in both pagination styles, to the last page: envelopes, caps, sort orders, filters carried in
links, the offset depth limit, counts, the ticket audit cursor, per-ticket sub-resources, routing."""

from __future__ import annotations

import pytest

from .test_account_helpers import Client, cursor_pages, make_account, offset_pages, records


@pytest.fixture(scope="module")
def account():
    return make_account()[0]


@pytest.fixture
def client(account):
    return Client(account)


LISTS = [  # path, key, truth resource (or None), id field
    ("tickets", "tickets", None, "id"),
    ("users", "users", None, "id"),
    ("organizations", "organizations", None, "id"),
    ("groups", "groups", None, "id"),
    ("group_memberships", "group_memberships", "group_memberships", "id"),
    ("macros", "macros", "macros", "id"),
    ("tags", "tags", "tags", "name"),
    ("ticket_metrics", "ticket_metrics", "ticket_metrics", "id"),
    ("satisfaction_ratings", "satisfaction_ratings", None, "id"),
    ("ticket_forms", "ticket_forms", None, "id"),
    ("brands", "brands", None, "id"),
]


@pytest.mark.parametrize(("path", "key", "resource", "pk"), LISTS)
def test_given_a_list_when_paged_both_ways_to_the_end_then_both_return_the_same_records(client, account, path, key, resource, pk):
    by_cursor = cursor_pages(client, f"{path}.json", **{"page[size]": 37})
    by_offset = offset_pages(client, path, per_page=37)
    cursor_ids = [r[pk] for r in records(by_cursor, key)]
    offset_ids = [r[pk] for r in records(by_offset, key)]
    assert cursor_ids == offset_ids and len(set(cursor_ids)) == len(cursor_ids) > 0
    assert set(by_cursor[0]) == {key, "meta", "links"} and set(by_cursor[0]["meta"]) == {"has_more", "after_cursor", "before_cursor"}
    assert set(by_offset[0]) == {key, "next_page", "previous_page", "count"}
    assert by_offset[0]["count"] == len(offset_ids)
    assert by_cursor[-1]["links"]["next"] is None and by_offset[-1]["next_page"] is None
    if resource:
        assert sorted(cursor_ids) == sorted(r[pk] for r in account.truth(resource))


def test_given_page_size_above_100_when_listing_then_pages_hold_100(client):
    assert len(client.get("organizations.json", **{"page[size]": 500})["organizations"]) == 100
    assert len(client.get("organizations.json", per_page=500)["organizations"]) == 100
    assert len(client.get("organizations.json")["organizations"]) == 100


def test_given_offset_pagination_past_page_100_when_requested_then_400_invalid_pagination_depth(client):
    page_100 = client.get("organizations.json", page=100, per_page=1)
    assert page_100["next_page"].endswith("page=101&per_page=1")
    body = client.get(page_100["next_page"], status=400)
    assert body["errors"][0]["code"] == "InvalidPaginationDepth"
    last = client.get("organizations.json", page=25, per_page=100)
    assert len(last["organizations"]) == 100 and last["next_page"] is None


def test_given_a_filter_on_the_first_request_when_following_links_then_it_survives(client, account):
    pages = cursor_pages(client, "groups.json", exclude_deleted="false", **{"page[size]": 2})
    assert all("exclude_deleted=false" in p["links"]["next"] for p in pages[:-1])
    every = records(pages, "groups")
    assert any(g["deleted"] for g in every)
    assert sorted(g["id"] for g in every) == sorted(g["id"] for g in account.truth("groups"))
    default = records(cursor_pages(client, "groups.json", **{"page[size]": 2}), "groups")
    assert not any(g["deleted"] for g in default) and len(default) < len(every)
    offset = records(offset_pages(client, "groups", per_page=2, exclude_deleted="false"), "groups")
    assert [g["id"] for g in offset] == [g["id"] for g in every]


def test_given_macros_sorted_by_created_at_when_paged_then_order_holds_across_pages(client):
    pages = cursor_pages(client, "macros", sort_by="created_at", sort_order="asc", **{"page[size]": 7})
    assert all("sort_by=created_at" in p["links"]["next"] for p in pages[:-1])
    created = [m["created_at"] for m in records(pages, "macros")]
    assert created == sorted(created) and len(created) == 40
    active = records(cursor_pages(client, "macros/active.json", **{"page[size]": 100}), "macros")
    assert active and all(m["active"] for m in active)


def test_given_tickets_when_listed_then_archived_and_deleted_are_absent_and_sorting_works(client, account):
    listed = records(cursor_pages(client, "tickets", **{"page[size]": 100}), "tickets")
    cols = account.data.tickets.cols
    expected = [i + 1 for i in range(len(cols.created)) if not cols.archived[i] and not cols.deleted[i]]
    assert [t["id"] for t in listed] == expected
    newest = records(cursor_pages(client, "tickets", sort="-updated_at", **{"page[size]": 100}), "tickets")
    assert [t["updated_at"] for t in newest] == sorted((t["updated_at"] for t in listed), reverse=True)
    assert "generated_timestamp" not in listed[0]
    by_offset = records(offset_pages(client, "tickets", sort_by="id", sort_order="desc"), "tickets")
    assert [t["id"] for t in by_offset] == expected[::-1]


def test_given_ticket_metrics_when_listed_then_newest_first_without_archived(client, account):
    metrics = records(cursor_pages(client, "ticket_metrics", **{"page[size]": 100}), "ticket_metrics")
    ticket_ids = [m["ticket_id"] for m in metrics]
    assert ticket_ids == sorted(ticket_ids, reverse=True)
    cols = account.data.tickets.cols
    assert not any(cols.archived[i - 1] or cols.deleted[i - 1] for i in ticket_ids)


def test_given_ticket_audits_when_following_before_url_then_all_live_audits_arrive_newest_first(client, account):
    # What the official Airbyte connector does: limit=200, then before_url until a page is empty or has no link.
    pages = client.follow("ticket_audits.json?limit=200&sort_by=created_at&sort_order=desc", lambda p: p["before_url"],
                          lambda p: not p["audits"] or p["before_url"] is None)
    assert set(pages[0]) == {"audits", "before_url", "before_cursor", "after_url", "after_cursor"}
    assert all(len(p["audits"]) == 200 for p in pages[:-1]) and "limit=200" in pages[0]["before_url"]
    audits = records(pages, "audits")
    keys = [(a["created_at"], a["id"]) for a in audits]
    assert keys == sorted(keys, reverse=True)
    assert sorted(a["id"] for a in audits) == sorted(a["id"] for a in account.truth("ticket_audits"))
    newer = client.get(pages[1]["after_url"])
    assert [a["id"] for a in newer["audits"]] == [a["id"] for a in pages[0]["audits"]]
    assert len(client.get("ticket_audits.json", limit=5000)["audits"]) == 1000


def test_given_ticket_audits_with_page_size_when_paged_then_cursor_style_reaches_the_same_audits(client, account):
    audits = records(cursor_pages(client, "ticket_audits", **{"page[size]": 100}), "audits")
    assert sorted(a["id"] for a in audits) == sorted(a["id"] for a in account.truth("ticket_audits"))


def test_given_count_endpoints_when_called_then_zendesk_count_shape(client, account):
    for path, expected in (("tickets/count.json", 2000 - int(account.data.tickets.cols.deleted.sum())),
                           ("users/count", len([u for u in account.data.users.cols.active if u])),
                           ("organizations/count.json", 2500)):
        body = client.get(path)
        assert body["count"]["value"] == expected and body["count"]["refreshed_at"].endswith("Z")


def test_given_ticket_fields_when_listed_then_unpaginated_by_position_or_cursor_by_id(client, account):
    whole = client.get("ticket_fields.json")
    assert whole["next_page"] is None and whole["count"] == len(whole["ticket_fields"]) == len(account.truth("ticket_fields"))
    positions = [f["position"] for f in whole["ticket_fields"]]
    assert positions == sorted(positions)
    paged = records(cursor_pages(client, "ticket_fields", **{"page[size]": 5}), "ticket_fields")
    assert [f["id"] for f in paged] == sorted(f["id"] for f in whole["ticket_fields"])


def test_given_a_live_ticket_when_reading_its_audits_then_both_styles_page_oldest_first(client, account):
    ticket = next(i + 1 for i, (a, d) in enumerate(zip(account.data.tickets.cols.archived, account.data.tickets.cols.deleted, strict=True))
                  if not a and not d and account.data.audits.offsets[i + 1] - account.data.audits.offsets[i] >= 4)
    by_cursor = records(cursor_pages(client, f"tickets/{ticket}/audits.json", **{"page[size]": 1}), "audits")
    by_offset = records(offset_pages(client, f"tickets/{ticket}/audits", per_page=1), "audits")
    assert [a["id"] for a in by_cursor] == [a["id"] for a in by_offset] and len(by_cursor) >= 4
    assert [a["created_at"] for a in by_cursor] == sorted(a["created_at"] for a in by_cursor)
    assert by_cursor[0]["events"][0]["type"] == "Comment"
    comments = records(offset_pages(client, f"tickets/{ticket}/comments.json"), "comments")
    assert comments[0]["body"] == client.get(f"tickets/{ticket}.json")["ticket"]["description"]


def test_given_an_archived_ticket_when_reading_its_audits_then_all_come_on_one_page(client, account):
    cols = account.data.tickets.cols
    ticket = next(i + 1 for i in range(len(cols.archived)) if cols.archived[i])
    page = client.get(f"tickets/{ticket}/audits.json", **{"page[size]": 1})
    assert page["meta"]["has_more"] is False and len(page["audits"]) == account.data.audits.offsets[ticket] - account.data.audits.offsets[ticket - 1]
    assert client.get(f"tickets/{ticket}/metrics.json")["ticket_metric"]["ticket_id"] == ticket
    assert all(a["ticket_id"] != ticket for a in account.truth("ticket_audits"))
    every = {a["id"] for a in account.truth("ticket_audits_all") if a["ticket_id"] == ticket}
    assert every == {a["id"] for a in page["audits"]}


def test_given_a_deleted_or_missing_ticket_when_reading_it_then_404_record_not_found(client, account):
    deleted = next(i + 1 for i, d in enumerate(account.data.tickets.cols.deleted) if d)
    for path in (f"tickets/{deleted}.json", f"tickets/{deleted}/audits.json", f"tickets/{deleted}/metrics", "tickets/999999.json",
                 "users/1.json", "ticket_metrics/5.json"):
        assert client.get(path, status=404) == {"error": "RecordNotFound", "description": "Not found"}


def test_given_paths_when_routed_then_names_are_stable_and_json_is_optional(account):
    assert account.route_name("GET", "/api/v2/tickets/12/metrics.json") == "tickets/{id}/metrics"
    assert account.route_name("GET", "/api/v2/tickets/12/metrics") == "tickets/{id}/metrics"
    assert account.route_name("GET", "/api/v2/incremental/tickets/cursor.json") == "incremental/tickets/cursor"
    assert account.route_name("GET", "/api/v2/nope.json") is None
    assert account.route_name("POST", "/api/v2/tickets.json") is None
    assert account.is_incremental_export("/api/v2/incremental/organizations")
    assert not account.is_incremental_export("/api/v2/ticket_audits.json")
    assert Client(account).raw("/api/v2/nope.json") is None


def test_given_discovery_probes_of_tap_zendesk_when_called_then_each_answers_200(client):
    for path in ("users/me.json", "account/settings.json", "user_fields.json", "organization_fields.json", "slas/policies.json",
                 "channels/voice/phone_numbers.json", "ticket_forms.json", "satisfaction_ratings?per_page=1",
                 "incremental/ticket_metric_events.json?start_time=1760000000", "tickets/1/audits.json?per_page=1",
                 "search.json?query=%20updated%3E2025-10-01T00%3A00%3A00Z%20updated%3C2000-01-02T00%3A00%3A00Z%20type%3Auser"):
        client.get(path)
    settings = client.get("account/settings.json")["settings"]
    assert settings["active_features"]["organization_access_enabled"] is True
    assert client.get("search.json", query="type:user updated<2000-01-02")["count"] == 0
    assert client.get("search/count.json", query="type:ticket status:open")["count"] > 0
