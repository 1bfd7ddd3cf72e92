"""Incremental exports: cursor- and time-based, start_time rules, the last-minute window, sideloads, deleted and
archived tickets, the same-second burst, determinism."""

from __future__ import annotations

import pytest

from zendesk_emulator.api.export_rules import TOO_RECENT

from .test_account_helpers import ANCHOR, Client, export_pages, make_account, records, time_pages


@pytest.fixture(scope="module")
def account():
    return make_account()[0]


@pytest.fixture
def client(account):
    return Client(account)


def test_given_start_time_zero_when_following_after_url_then_every_ticket_of_truth_arrives_once_in_order(client, account):
    pages = export_pages(client, "incremental/tickets/cursor.json", start_time=0)
    tickets = records(pages, "tickets")
    truth = {(t["id"], t["generated_timestamp"]) for t in account.truth("tickets")}
    assert len(tickets) == len(truth) == 2000
    assert {(t["id"], t["generated_timestamp"]) for t in tickets} == truth
    keys = [(t["generated_timestamp"], t["id"]) for t in tickets]
    assert keys == sorted(keys)
    assert [len(p["tickets"]) for p in pages[:-1]] == [1000] * (len(pages) - 1)
    assert set(pages[0]) == {"tickets", "after_url", "after_cursor", "before_url", "before_cursor", "end_of_stream"}
    assert pages[0]["after_url"].startswith("https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=")
    assert "start_time" not in pages[0]["after_url"]


def test_given_per_page_above_1000_when_exporting_then_pages_hold_1000(client):
    page = client.get("incremental/tickets/cursor.json", start_time=0, per_page=5000)
    assert len(page["tickets"]) == 1000
    small = client.get("incremental/tickets/cursor", start_time=0, per_page=7)
    assert len(small["tickets"]) == 7 and not small["end_of_stream"]
    assert "per_page=7" in small["after_url"]


def test_given_end_of_stream_when_polling_the_after_cursor_then_page_is_empty_and_cursor_holds(client):
    last = export_pages(client, "incremental/tickets/cursor.json", start_time=0)[-1]
    again = client.get(last["after_url"])
    assert again["tickets"] == [] and again["end_of_stream"] is True
    assert again["after_cursor"] == last["after_cursor"]


def test_given_a_before_cursor_when_requested_then_the_previous_page_comes_back(client):
    first = client.get("incremental/tickets/cursor.json", start_time=0, per_page=50)
    second = client.get(first["after_url"])
    back = client.get(second["before_url"])
    assert [t["id"] for t in back["tickets"]] == [t["id"] for t in first["tickets"]]


@pytest.mark.parametrize("path", ["incremental/tickets/cursor.json", "incremental/tickets.json", "incremental/users/cursor.json",
                                  "incremental/users.json", "incremental/organizations.json"])
def test_given_start_time_inside_the_last_minute_or_future_when_exporting_then_422_too_recent(client, path):
    for start in (int(ANCHOR) - 30, int(ANCHOR) + 3600):
        body = client.get(path, status=422, start_time=start)
        assert body == {"error": "InvalidValue", "description": TOO_RECENT}
    assert client.get(path, start_time=int(ANCHOR) - 61)["end_of_stream"] is True
    assert client.get(path, status=400)["error"] == "InvalidValue"


def test_given_a_rails_style_start_time_when_exporting_then_leading_digits_count(client):
    as_float = client.get("incremental/tickets/cursor.json", start_time="0.0", per_page=1)
    assert as_float["tickets"][0]["id"]
    iso_string = client.get("incremental/organizations.json", start_time="2025-01-01T00:00:00Z", per_page=3)
    assert iso_string["count"] == 3  # "2025-..." reads as 2025, i.e. 1970: everything is newer


def test_given_a_change_inside_the_last_minute_when_exporting_then_it_waits_until_the_minute_passes():
    account, clock = make_account(tickets=300)
    client = Client(account)
    done = export_pages(client, "incremental/tickets/cursor.json", start_time=0)[-1]
    clock.advance(600)
    changed = account.mutate("tickets", 0, 3, 0)["updated"]
    clock.advance(30)
    hidden = client.get(done["after_url"])
    assert hidden["tickets"] == [] and hidden["end_of_stream"] is True
    clock.advance(31)
    shown = client.get(done["after_url"])
    assert sorted(t["id"] for t in shown["tickets"]) == sorted(changed)
    assert all(t["generated_timestamp"] == int(ANCHOR) + 600 for t in shown["tickets"])
    assert {t["id"] for t in account.truth("tickets") if t["generated_timestamp"] == int(ANCHOR) + 600} == set(changed)


def test_given_include_metric_sets_when_exporting_then_each_live_ticket_carries_its_metric_set(client, account):
    pages = export_pages(client, "incremental/tickets/cursor.json", start_time=0, include="metric_sets")
    tickets = records(pages, "tickets")
    live = [t for t in tickets if t["status"] != "deleted"]
    assert all(t["metric_set"]["ticket_id"] == t["id"] for t in live)
    assert all("metric_set" not in t for t in tickets if t["status"] == "deleted")
    sideloaded = records(pages, "metric_sets")
    assert [m["ticket_id"] for m in sideloaded] == [t["id"] for t in live]
    assert sorted(m["id"] for m in sideloaded) == sorted(m["id"] for m in account.truth("ticket_metrics_all"))
    assert "include=metric_sets" in pages[0]["after_url"]
    plain = client.get("incremental/tickets/cursor.json", start_time=0, per_page=5)
    assert "metric_sets" not in plain and all("metric_set" not in t for t in plain["tickets"])


def test_given_deleted_and_archived_tickets_when_exporting_then_both_are_there_and_deleted_can_be_excluded(client, account):
    tickets = records(export_pages(client, "incremental/tickets/cursor.json", start_time=0), "tickets")
    deleted = [t["id"] for t in tickets if t["status"] == "deleted"]
    truth = {t["id"]: t for t in account.truth("tickets")}
    assert sorted(deleted) == sorted(i for i, t in truth.items() if t["status"] == "deleted")
    cols = account.data.tickets.cols
    assert len(deleted) == int(cols.deleted.sum()) > 0
    archived = [i + 1 for i in range(len(cols.archived)) if cols.archived[i]]
    assert set(archived) <= {t["id"] for t in tickets} and len(archived) > 100
    assert sorted(archived) == sorted(i for i, t in truth.items() if t["archived"])
    live = records(export_pages(client, "incremental/tickets/cursor.json", start_time=0, exclude_deleted="true"), "tickets")
    assert {t["id"] for t in live} == {t["id"] for t in tickets} - set(deleted)


def test_given_time_based_ticket_export_when_following_next_page_then_nothing_is_lost_and_boundaries_repeat(client, account):
    pages = time_pages(client, "incremental/tickets.json", start_time=0)
    assert set(pages[0]) == {"tickets", "count", "end_of_stream", "end_time", "next_page"}
    assert all(p["count"] == len(p["tickets"]) for p in pages)
    assert {t["id"] for t in records(pages, "tickets")} == {t["id"] for t in account.truth("tickets")}
    for previous, page in zip(pages, pages[1:], strict=False):
        assert f"start_time={previous['end_time']}" in previous["next_page"]
        last = previous["tickets"][-1]["generated_timestamp"]
        if previous["end_time"] == last:  # inclusive start_time: the boundary second comes back
            assert page["tickets"][0]["generated_timestamp"] == last


def test_given_more_than_1000_records_in_one_second_when_following_next_page_then_no_loop_and_no_loss(client, account):
    for path, key, ts_field in (("incremental/organizations.json", "organizations", "updated_at"),
                                ("incremental/tickets.json", "tickets", "generated_timestamp")):
        pages = time_pages(client, path, start_time=0)
        seconds = {}
        for record in records(pages, key):
            seconds[record[ts_field]] = seconds.get(record[ts_field], 0) + 1
        assert max(seconds.values()) > 1000  # the burst really is on one second
        assert any(len(p[key]) > 1000 for p in pages)  # the page holding it was extended past per_page
        assert len(pages) < 10
        assert {r["id"] for r in records(pages, key)} == {r["id"] for r in account.truth(key)}


def test_given_a_page_starting_inside_a_burst_when_requested_then_end_time_moves_past_it(client):
    pages = time_pages(client, "incremental/organizations.json", start_time=0)
    burst_page = next(p for p in pages if len(p["organizations"]) > 1000)
    burst_second = burst_page["end_time"] - 1
    again = client.get("incremental/organizations.json", start_time=burst_second, per_page=10)
    assert again["end_time"] == burst_second + 1 and again["count"] > 1000


def test_given_users_exports_when_followed_then_union_is_truth_with_deleted_users(client, account):
    truth = {u["id"] for u in account.truth("users")}
    cursor = records(export_pages(client, "incremental/users/cursor.json", start_time=0, per_page=200), "users")
    timed = records(time_pages(client, "incremental/users.json", start_time=0, per_page=200), "users")
    assert {u["id"] for u in cursor} == {u["id"] for u in timed} == truth
    assert len(cursor) == len(truth)
    assert any(u["active"] is False for u in cursor)


def test_given_include_identities_when_exporting_users_then_identities_are_sideloaded(client):
    page = client.get("incremental/users/cursor.json", start_time=0, per_page=20, include="identities")
    owners = {i["user_id"] for i in page["identities"]}
    assert owners == {u["id"] for u in page["users"]}
    assert all(i["type"] in ("email", "phone_number") for i in page["identities"])


def test_given_the_sample_endpoint_when_called_then_at_most_50_records(client):
    page = client.get("incremental/organizations/sample.json", start_time=0)
    assert page["count"] == 50 and len(page["organizations"]) == 50


def test_given_the_same_seed_when_built_twice_then_bytes_are_identical():
    first, second, other = (Client(make_account(seed=s, tickets=300)[0]) for s in (7, 7, 8))
    for url in ("incremental/tickets/cursor.json?start_time=0&include=metric_sets", "ticket_audits.json?limit=100",
                "incremental/organizations.json?start_time=0", "users.json?page[size]=50"):
        assert first.raw(url).body == second.raw(url).body
        assert first.raw(url).body != other.raw(url).body
