"""The ticket event export and the ticket metric event export: pagination against the truth, boundaries, the
comment sideload, agreement with /ticket_audits and with the tickets themselves, mutations, and metric events
agreeing with the metric sets."""

from __future__ import annotations

from collections import defaultdict

import pytest

from zendesk_emulator.api.export_rules import TOO_RECENT

from .test_account_helpers import ANCHOR, Client, cursor_pages, export_pages, make_account, records, time_pages

PATH = "incremental/ticket_events.json"
EVENT_KEYS = {"id", "ticket_id", "timestamp", "created_at", "updater_id", "via", "system", "metadata", "event_type",
              "child_events"}
COMMENT_KEYS = {"id", "via", "via_reference_id", "type", "author_id", "body", "html_body", "plain_body", "public",
                "attachments", "audit_id", "created_at", "event_type"}
FIELDS = ("subject", "requester_id", "status", "priority", "type", "group_id", "assignee_id", "tags")


@pytest.fixture(scope="module")
def account():
    return make_account()[0]


@pytest.fixture(scope="module")
def events(account):
    """Every ticket event once (boundary repeats dropped), with and without the comment sideload."""
    client = Client(account)
    plain = _unique(records(time_pages(client, PATH, start_time=0), "ticket_events"))
    full = _unique(records(time_pages(client, PATH, start_time=0, include="comment_events"), "ticket_events"))
    return plain, full


def _unique(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in items:
        if item["id"] not in seen:
            seen.add(item["id"])
            out.append(item)
    return out


def _field_changes(event: dict):
    """(field name, value, child) for each Create or Change child, the field named as in the audit."""
    for child in event["child_events"]:
        if child["event_type"] not in ("Create", "Change"):
            continue
        if "custom_ticket_fields" in child:
            (name, value), = child["custom_ticket_fields"].items()
        else:
            name = next(k for k in (*FIELDS, "schedule_id") if k in child)
            value = child[name]
        yield name, value, child


def _current(ticket: dict) -> dict:
    """A ticket's fields as its events name and write them (ids as strings)."""
    out = {name: (str(ticket[name]) if name.endswith("_id") and ticket[name] is not None else ticket[name]) for name in FIELDS}
    out.update((str(f["id"]), f["value"]) for f in ticket["custom_fields"] if f["value"] is not None)
    return out


def _replay_and_check(events: list[dict], tickets: dict[int, dict]) -> int:
    """Replays every ticket's field changes in time order: each Change's previous_value is the value before it and the
    last values are the ticket's current ones. Returns the number of Change children checked."""
    state: dict[int, dict] = defaultdict(dict)
    changes = 0
    for event in sorted(events, key=lambda e: (e["timestamp"], e["id"])):
        fields = state[event["ticket_id"]]
        for name, value, child in _field_changes(event):
            if child["event_type"] == "Change":
                assert child["previous_value"] == fields.get(name), (event["ticket_id"], name, child)
                changes += 1
            fields[name] = value
    for ticket_id, ticket in tickets.items():
        if ticket["status"] == "deleted":
            continue
        replayed, current = state[ticket_id], _current(ticket)
        for name in (set(current) | set(replayed)) - {"schedule_id"}:  # the ticket object has no schedule
            assert replayed.get(name) == current.get(name), (ticket_id, name, replayed.get(name), current.get(name))
    return changes


def _tickets(client: Client) -> dict[int, dict]:
    return {t["id"]: t for t in records(export_pages(client, "incremental/tickets/cursor.json", start_time=0), "tickets")}


# -- the ticket event export -------------------------------------------------------------------------------------------
def test_given_start_time_zero_when_following_next_page_then_every_event_of_truth_arrives_in_time_order(account):
    client = Client(account)
    pages = time_pages(client, PATH, start_time=0)
    assert set(pages[0]) == {"ticket_events", "count", "end_of_stream", "end_time", "next_page"}
    assert all(p["count"] == len(p["ticket_events"]) <= 1000 for p in pages) and len(pages) > 5
    every = records(pages, "ticket_events")
    truth = account.truth("ticket_events")
    assert {e["id"] for e in every} == {t["id"] for t in truth} and len(truth) > 5000
    assert {(t["id"], t["ticket_id"], t["timestamp"], t["created_at"]) for t in truth} == \
        {(e["id"], e["ticket_id"], e["timestamp"], e["created_at"]) for e in every}
    for page in pages:
        keys = [(e["timestamp"], e["id"]) for e in page["ticket_events"]]
        assert keys == sorted(keys)
    assert all(set(e) == EVENT_KEYS and e["event_type"] == "Audit" and isinstance(e["via"], str) for e in every)
    children = [c for e in every for c in e["child_events"]]
    assert {"Create", "Change", "Comment", "Notification"} <= {c["event_type"] for c in children}
    assert all(isinstance(c["via"], str) and "via_reference_id" in c for c in children)


def test_given_consecutive_pages_then_next_page_starts_at_end_time_and_the_boundary_second_repeats(account):
    client = Client(account)
    pages = time_pages(client, PATH, start_time=0, per_page=300)
    repeats = extended = 0
    for previous, page in zip(pages, pages[1:], strict=False):
        assert f"start_time={previous['end_time']}" in previous["next_page"] and "per_page=300" in previous["next_page"]
        last = previous["ticket_events"][-1]
        if len(previous["ticket_events"]) > 300:  # grown to hold its last second whole: the next page starts after it
            extended += 1
            assert previous["end_time"] == last["timestamp"] + 1 and page["ticket_events"][0]["timestamp"] > last["timestamp"]
            continue
        assert previous["end_time"] == last["timestamp"]
        assert page["ticket_events"][0]["timestamp"] == last["timestamp"]  # inclusive start_time
        repeats += last["id"] in {e["id"] for e in page["ticket_events"]}
    assert repeats == len(pages) - 1 - extended and repeats > 10
    assert pages[-1]["end_of_stream"] is True
    assert len(client.get(PATH, start_time=0, per_page=5000)["ticket_events"]) == 1000
    sample = client.get("incremental/ticket_events/sample.json", start_time=0)
    assert sample["count"] == 50 and "ticket_events/sample.json" in sample["next_page"]


def test_given_bad_start_times_when_exporting_events_then_zendesk_errors_and_the_export_limit_applies(account):
    client = Client(account)
    assert client.get(PATH, status=400)["error"] == "InvalidValue"
    assert client.get(PATH, status=400, start_time="soon")["error"] == "InvalidValue"
    for start in (int(ANCHOR) - 30, int(ANCHOR) + 3600):
        assert client.get(PATH, status=422, start_time=start) == {"error": "InvalidValue", "description": TOO_RECENT}
    assert client.get(PATH, start_time=int(ANCHOR) - 61)["end_of_stream"] is True
    assert account.route_name("GET", "/api/v2/incremental/ticket_events.json") == "incremental/ticket_events"
    assert account.is_incremental_export("/api/v2/incremental/ticket_events.json")


def test_given_include_comment_events_then_comment_children_are_the_comments_of_truth(account, events):
    plain, full = events
    for child in (c for e in plain for c in e["child_events"] if c["event_type"] == "Comment"):
        assert child["comment_present"] is True and isinstance(child["comment_public"], bool) and "body" not in child
    comments = [(e, c) for e in full for c in e["child_events"] if c["event_type"] == "Comment"]
    assert all(set(c) == COMMENT_KEYS and isinstance(c["via"], dict) for _, c in comments)
    assert all(c["audit_id"] == e["id"] and c["created_at"] == e["created_at"] for e, c in comments)
    truth = {(t["id"], t["ticket_id"], t["created_at"]) for t in account.truth("ticket_comments")}
    assert {(c["id"], e["ticket_id"], c["created_at"]) for e, c in comments} == truth
    assert len(truth) == sum(c["event_type"] == "Comment" for e in plain for c in e["child_events"])
    first = Client(account).get(PATH, start_time=0, per_page=10, include="comment_events")
    assert "include=comment_events" in first["next_page"]


def test_given_live_tickets_then_their_events_are_their_audits_with_the_same_ids_times_and_values(account, events):
    _, full = events
    audits = records(cursor_pages(Client(account), "ticket_audits.json", **{"page[size]": 100}), "audits")
    by_id = {e["id"]: e for e in full}
    assert {a["id"] for a in audits} <= set(by_id)
    checked = 0
    for audit in audits:
        event = by_id[audit["id"]]
        assert (event["ticket_id"], event["created_at"], event["updater_id"]) == (audit["ticket_id"], audit["created_at"], audit["author_id"])
        assert event["system"] == audit["metadata"]["system"]
        assert [c["id"] for c in event["child_events"]] == [x["id"] for x in audit["events"]]
        for child, original in zip(event["child_events"], audit["events"], strict=True):
            assert child["event_type"] == original["type"]
            if original["type"] == "Comment":
                assert (child["body"], child["html_body"], child["public"], child["attachments"]) == \
                    (original["body"], original["html_body"], original["public"], original["attachments"])
            if original["type"] in ("Create", "Change"):
                name, value, _ = next(_field_changes({"child_events": [child]}))
                assert (name, value) == (original["field_name"], original["value"])
                assert child.get("previous_value") == original.get("previous_value")
                checked += 1
    assert checked > 5000
    archived = {e["ticket_id"] for e in full} - {a["ticket_id"] for a in audits}
    cols = account.data.tickets.cols
    assert archived == {i + 1 for i in range(len(cols.created)) if cols.archived[i] or cols.deleted[i]}
    one = min(i for i in archived if cols.archived[i - 1])
    per_ticket = Client(account).get(f"tickets/{one}/audits.json")["audits"]
    assert [a["id"] for a in per_ticket] == [e["id"] for e in full if e["ticket_id"] == one]


def test_given_every_ticket_then_changes_chain_and_the_last_values_are_the_ticket(account, events):
    plain, _ = events
    assert _replay_and_check(plain, _tickets(Client(account))) > 1000
    tags = [c for e in plain for c in e["child_events"] if c["event_type"] == "Change" and "tags" in c]
    assert tags and all(c["added_tags"] == [t for t in c["tags"] if t not in c["previous_value"]] for c in tags)


def test_given_field_history_truth_then_it_is_every_create_and_change_child_of_the_export(account, events):
    plain, _ = events
    exported = {(c["id"], e["id"], e["ticket_id"], name, repr(value), repr(c.get("previous_value")), e["created_at"], e["updater_id"])
                for e in plain for name, value, c in _field_changes(e)}
    rows = account.truth("ticket_field_history")
    truth = {(r["event_id"], r["parent_event_id"], r["ticket_id"], r["field_name"], repr(r["value"]), repr(r["previous_value"]),
              r["updated"], r["user_id"]) for r in rows}
    assert truth == exported
    assert all(r["id"] == f"{r['event_id']}:{r['field_name']}" for r in rows) and len({r["id"] for r in rows}) == len(rows)


def test_given_mutations_when_exporting_events_then_new_audits_appear_after_the_last_minute_and_still_chain():
    account, clock = make_account(tickets=300)
    client = Client(account)
    done = time_pages(client, PATH, start_time=0)[-1]
    clock.advance(600)
    changed = account.mutate("tickets", 2, 5, 1)
    account.mutate("tags", 1, 1, 1)
    clock.advance(30)
    hidden = client.get(done["next_page"])
    assert hidden["ticket_events"] == [] or max(e["timestamp"] for e in hidden["ticket_events"]) < int(ANCHOR) + 600
    clock.advance(31)
    fresh = [e for e in records(time_pages(client, done["next_page"], include="comment_events"), "ticket_events")
             if e["timestamp"] == int(ANCHOR) + 600]
    assert {e["ticket_id"] for e in fresh} >= set(changed["created"] + changed["updated"])
    newest = {a["id"] for t in changed["created"] + changed["updated"] for a in client.get(f"tickets/{t}/audits.json")["audits"][-1:]}
    assert newest <= {e["id"] for e in fresh}
    truth = {t["id"] for t in account.truth("ticket_events")}
    assert {e["id"] for e in fresh} <= truth
    comments = {t["id"] for t in account.truth("ticket_comments")}
    assert {c["id"] for e in fresh for c in e["child_events"] if c["event_type"] == "Comment"} <= comments
    every = _unique(records(time_pages(client, PATH, start_time=0, include="comment_events"), "ticket_events"))
    assert {e["id"] for e in every} == truth
    assert {c["id"] for e in every for c in e["child_events"] if c["event_type"] == "Comment"} == comments
    assert _replay_and_check(every, _tickets(client)) > 0


def test_given_the_same_seed_then_ticket_event_bytes_are_identical():
    first, second = (Client(make_account(seed=5, tickets=200)[0]) for _ in range(2))
    for url in (f"{PATH}?start_time=0", f"{PATH}?start_time=0&include=comment_events",
                "incremental/ticket_metric_events.json?start_time=0"):
        assert first.raw(url).body == second.raw(url).body


# -- ticket metric events ----------------------------------------------------------------------------------------------
METRIC_PATH = "incremental/ticket_metric_events.json"


def test_given_metric_events_when_paged_either_way_then_both_reach_the_truth_in_time_order(account):
    client = Client(account)
    truth = {(t["id"], t["ticket_id"], t["time"]) for t in account.truth("ticket_metric_events")}
    by_cursor = records(cursor_pages(client, METRIC_PATH, start_time=0, **{"page[size]": 100}), "ticket_metric_events")
    assert len(by_cursor) == len(truth) > 10_000
    assert {(e["id"], e["ticket_id"], e["time"]) for e in by_cursor} == truth
    assert [(e["time"], e["id"]) for e in by_cursor] == sorted((e["time"], e["id"]) for e in by_cursor)
    timed = records(time_pages(client, METRIC_PATH, start_time=0), "ticket_metric_events")
    assert {(e["id"], e["ticket_id"], e["time"]) for e in timed} == truth
    later = client.get(METRIC_PATH, start_time=int(ANCHOR) - 86400 * 30, **{"page[size]": 10})
    assert all(e["time"] >= _iso(ANCHOR - 86400 * 30) for e in later["ticket_metric_events"]) and later["meta"]["has_more"]
    assert "start_time=" in later["links"]["next"]


def _check_metric_events(client: Client) -> int:
    """Every ticket's metric events against its metric set (from the export's include=metric_sets); returns how many
    reply times were compared. (test_account_metrics.py checks both against the audits.)"""
    events = records(time_pages(client, METRIC_PATH, start_time=0), "ticket_metric_events")
    by_ticket: dict[int, dict] = defaultdict(lambda: defaultdict(list))
    for e in sorted(events, key=lambda e: (e["time"], e["id"])):
        by_ticket[e["ticket_id"]][(e["metric"], e["type"])].append(e)
    tickets = records(export_pages(client, "incremental/tickets/cursor.json", start_time=0, include="metric_sets"), "tickets")
    checked = 0
    for ticket in tickets:
        found, metric = by_ticket[ticket["id"]], ticket.get("metric_set")
        first = found[("reply_time", "activate")][0]
        assert (first["time"], first["instance_id"]) == (ticket["created_at"], 1)
        if metric is None:
            continue
        reply = metric["reply_time_in_seconds"]["calendar"]
        fulfilled = [e for e in found[("reply_time", "fulfill")] if e["instance_id"] == 1]
        if reply is not None:
            status = [e for e in found[("reply_time", "update_status")] if e["instance_id"] == 1][0]["status"]
            assert (fulfilled[0]["time"], status) == (_plus(ticket["created_at"], reply), metric["reply_time_in_minutes"])
            checked += 1
        else:
            assert not fulfilled
        if metric["solved_at"]:
            assert found[("requester_wait_time", "fulfill")][-1]["time"] == metric["solved_at"]
            assert found[("agent_work_time", "fulfill")][-1]["time"] == metric["solved_at"]
            assert found[("requester_wait_time", "update_status")][-1]["status"] == metric["requester_wait_time_in_minutes"]
        elif metric["first_resolution_time_in_minutes"]["calendar"] is None:
            assert not found[("requester_wait_time", "fulfill")]
        slas = found[("reply_time", "apply_sla")]
        assert all(set(sla["sla"]) == {"target", "business_hours", "policy"} and sla["sla"]["target"] > 0 for sla in slas)
        for breach in found[("reply_time", "breach")]:
            # business minutes run no faster than calendar ones: a breach means a reply later than the target
            assert breach["deleted"] is False and (reply is None or reply > slas[-1]["sla"]["target"] * 60)
    return checked


def test_given_metric_events_then_they_agree_with_the_metric_sets(account):
    client = Client(account)
    kinds = {(e["metric"], e["type"]) for e in records(time_pages(client, METRIC_PATH, start_time=0), "ticket_metric_events")}
    assert {("reply_time", "apply_sla"), ("reply_time", "breach"), ("requester_wait_time", "fulfill"),
            ("agent_work_time", "update_status")} <= kinds
    assert _check_metric_events(client) > 1000


def test_given_mutated_tickets_then_new_metric_events_appear_and_still_follow_the_metric_sets():
    account, clock = make_account(tickets=300)
    client = Client(account)
    clock.advance(600)
    created = account.mutate("tickets", 3, 0, 0)["created"]
    for _ in range(3):  # statuses move on: some tickets get solved now
        account.mutate("tickets", 0, 40, 0)
    clock.advance(61)
    events = records(time_pages(client, METRIC_PATH, start_time=int(ANCHOR)), "ticket_metric_events")
    now = _plus(_iso(ANCHOR), 600)
    first = [e for e in events if (e["metric"], e["type"], e["instance_id"]) == ("reply_time", "activate", 1)]
    assert {e["ticket_id"] for e in first if e["time"] == now} == set(created)
    assert any(e["type"] == "fulfill" and e["metric"] == "requester_wait_time" and e["time"] == now for e in events)
    assert _check_metric_events(client) > 100


def _plus(iso: str, seconds: int) -> str:
    from zendesk_emulator.data.timefmt import iso as fmt
    from zendesk_emulator.data.timefmt import parse_iso

    return fmt(parse_iso(iso) + seconds)


def _iso(ts: float) -> str:
    from zendesk_emulator.data.timefmt import iso as fmt

    return fmt(int(ts))


def test_given_the_sla_policies_and_schedules_changed_or_deleted_then_past_metric_events_and_metrics_stay():
    account, clock = make_account(tickets=300)
    history, applied = account.truth("ticket_metric_events"), account.truth("ticket_sla_policies")
    metrics = [account.data.metrics.metric_set(i) for i in range(0, 300, 7)]
    standard = account.data.catalog.sla_policies[0]["id"]
    while any(p["id"] == standard for p in account.data.catalog.sla_policies):
        account.mutate("sla_policies", 1, 1, 1)  # until the policy the tickets were generated with is gone
    account.mutate("schedules", 1, 2, 2)  # renamed and deleted schedules, holidays ahead: no business minute moves
    account.mutate("schedule_holidays", 3, 3, 3)
    assert account.truth("ticket_metric_events") == history and account.truth("ticket_sla_policies") == applied
    assert [account.data.metrics.metric_set(i) for i in range(0, 300, 7)] == metrics


def test_given_tickets_worked_on_now_then_their_new_metric_events_happen_now_and_past_ones_stay():
    account, clock = make_account(tickets=300)
    clock.advance(600)
    history = {e["id"]: e for e in account.truth("ticket_metric_events")}
    for _ in range(3):  # new tickets replied to, solved tickets closed, open ones solved
        now = account.mutate("tickets", 0, 60, 0)["at"]
    moved = [e for e in account.truth("ticket_metric_events") if history.get(e["id"]) != e]
    assert moved and all(e["time"] >= _plus(_iso(ANCHOR), 600) for e in moved), [e for e in moved if e["time"] < now][:3]
