"""Ticket metrics and metric events follow the tickets' histories: every metric set equals what a reader of the ticket
event export (comments, status changes, the schedule a trigger set) computes with Zendesk's definitions, archived and
mutated tickets included; breach events come exactly for the tickets whose first reply came after the SLA target in
business hours; and `metrics.compute` on hand-made histories (a Friday-evening ticket, a holiday, a ticket solved,
reopened and solved again)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from zendesk_emulator.data.business_hours import BusinessClock
from zendesk_emulator.data.columns import DAY, HOLD, NEW, OPEN, PENDING, QUIET_SECONDS, SOLVED
from zendesk_emulator.data.metrics import AGENT, REQUESTER, SYSTEM, Rows, Targets, compute
from zendesk_emulator.data.timefmt import parse_iso

from .test_account_helpers import ANCHOR, Client, export_pages, make_account, records, time_pages

DONE = ("solved", "closed")
MINUTE_FIELDS = ("reply_time_in_minutes", "first_resolution_time_in_minutes", "full_resolution_time_in_minutes",
                 "agent_wait_time_in_minutes", "requester_wait_time_in_minutes", "on_hold_time_in_minutes")
NINE_TO_FIVE = [{"start_time": d * 1440 + 9 * 60, "end_time": d * 1440 + 17 * 60} for d in range(1, 6)]


class Reader:
    """What a client of the API knows: tickets with their metric sets, the ticket events (comments included),
    agents, schedules and holidays."""

    def __init__(self, client: Client):
        self.tickets = records(export_pages(client, "incremental/tickets/cursor.json", start_time=0, include="metric_sets"), "tickets")
        seen, self.events = set(), defaultdict(list)
        for e in records(time_pages(client, "incremental/ticket_events.json", start_time=0, include="comment_events"), "ticket_events"):
            if e["id"] not in seen:
                seen.add(e["id"])
                self.events[e["ticket_id"]].append(e)
        users = records(export_pages(client, "incremental/users/cursor.json", start_time=0), "users")
        self.agents = {u["id"] for u in users if u["role"] in ("agent", "admin")}
        self.user_created = {u["id"]: parse_iso(u["created_at"]) for u in users}
        schedules = client.get("business_hours/schedules.json")["schedules"]
        self.default = min(schedules, key=lambda s: s["created_at"])["id"]
        span = (int(ANCHOR) - 6 * 365 * DAY, int(ANCHOR) + 400 * DAY)
        self.clocks = {}
        for s in schedules:
            holidays = client.get(f"business_hours/schedules/{s['id']}/holidays.json")["holidays"]
            self.clocks[s["id"]] = BusinessClock.build(s["intervals"], s["time_zone"],
                                                       [(h["start_date"], h["end_date"]) for h in holidays], *span)

    def history(self, ticket_id: int) -> list[dict]:
        """The ticket's updates in order: time, status after, author, comment (or None), schedule set."""
        out, status = [], "new"
        for e in sorted(self.events[ticket_id], key=lambda e: (e["timestamp"], e["id"])):
            changes = [c for c in e["child_events"] if c["event_type"] in ("Create", "Change")]
            status = next((c["status"] for c in changes if "status" in c), status)
            out.append({"time": e["timestamp"], "status": status, "author": e["updater_id"],
                        "comment": next((c for c in e["child_events"] if c["event_type"] == "Comment"), None),
                        "schedule": next((int(c["schedule_id"]) for c in changes if "schedule_id" in c), None)})
        return out

    def schedule_of(self, ticket_id: int) -> int:
        return next((row["schedule"] for row in self.history(ticket_id) if row["schedule"]), self.default)

    def expected(self, ticket: dict) -> dict:
        """The ticket's metrics by Zendesk's definitions, from its events alone."""
        rows = self.history(ticket["id"])
        clock = self.clocks[self.schedule_of(ticket["id"])]
        created = parse_iso(ticket["created_at"])

        def minutes(start: int | None, end: int | None) -> dict:
            if start is None or end is None:
                return {"calendar": None, "business": None}
            return {"calendar": (end - start) // 60, "business": int(clock.between(start, end)) // 60}

        agent_replies = [r["time"] for r in rows[1:] if r["comment"] and r["comment"]["public"] and r["author"] in self.agents]
        solves = [r["time"] for before, r in zip([{"status": "new"}, *rows], rows, strict=False)
                  if r["status"] in DONE and before["status"] not in DONE]
        reopens = sum(1 for before, r in zip(rows, rows[1:], strict=False) if before["status"] in DONE and r["status"] not in DONE)
        spent: dict[str, list[int]] = {name: [0, 0, 0] for name in ("agent_wait", "requester_wait", "on_hold")}
        for r, after in zip(rows, rows[1:], strict=False):
            for name, statuses in (("agent_wait", ("pending",)), ("requester_wait", ("new", "open", "hold")), ("on_hold", ("hold",))):
                if r["status"] in statuses:
                    spent[name][0] += after["time"] - r["time"]
                    spent[name][1] += int(clock.between(r["time"], after["time"]))
                    spent[name][2] += 1
        solved_now = rows[-1]["status"] in DONE and solves
        out = {
            "reply_time_in_minutes": minutes(created, agent_replies[0] if agent_replies else None),
            "first_resolution_time_in_minutes": minutes(created, solves[0] if solves else None),
            "full_resolution_time_in_minutes": minutes(created, solves[-1] if solved_now else None),
            "replies": len(agent_replies), "reopens": reopens,
            "reply_time_in_seconds": {"calendar": agent_replies[0] - created if agent_replies else None},
            "solved_at": solves[-1] if solved_now else None,
            "latest_comment_added_at": max(r["time"] for r in rows if r["comment"]),
            "status_updated_at": max(r["time"] for before, r in zip([{"status": None}, *rows], rows, strict=False)
                                     if r["status"] != before["status"]),
        }
        for name, (cal, bus, spells) in spent.items():
            none = spells == 0 and name != "on_hold"
            out[f"{name}_time_in_minutes"] = {"calendar": None if none else cal // 60, "business": None if none else bus // 60}
        return out


def _actual(metric: dict) -> dict:
    out = {name: metric[name] for name in (*MINUTE_FIELDS, "replies", "reopens", "reply_time_in_seconds")}
    for name in ("solved_at", "latest_comment_added_at", "status_updated_at"):
        out[name] = parse_iso(metric[name]) if metric[name] else None
    return out


def _check_all(reader: Reader) -> tuple[int, int]:
    """Every ticket with a metric set against the reference; returns (tickets compared, archived among them)."""
    compared = archived = 0
    for ticket in reader.tickets:
        metric = ticket.get("metric_set")
        if metric is None:
            continue
        expected = reader.expected(ticket)
        assert _actual(metric) == expected, (ticket["id"], ticket["status"], _actual(metric), expected)
        compared += 1
        archived += ticket["status"] == "closed" and parse_iso(ticket["updated_at"]) < ANCHOR - 120 * DAY
    return compared, archived


@pytest.fixture(scope="module")
def account():
    return make_account(seed=3, tickets=400)[0]


@pytest.fixture(scope="module")
def reader(account):
    return Reader(Client(account))


def test_given_every_ticket_then_its_metric_set_is_what_its_events_say(reader):
    compared, archived = _check_all(reader)
    assert compared > 350 and archived > 20
    metrics = [t["metric_set"] for t in reader.tickets if t.get("metric_set")]
    assert sum(m["reopens"] > 0 for m in metrics) > 10  # solved, reopened and solved again: first and full differ
    assert any(m["first_resolution_time_in_minutes"]["calendar"] < m["full_resolution_time_in_minutes"]["calendar"]
               for m in metrics if m["full_resolution_time_in_minutes"]["calendar"] is not None)
    assert any(m["reopens"] and m["solved_at"] is None and m["first_resolution_time_in_minutes"]["calendar"] is not None
               for m in metrics)
    assert any(m["reply_time_in_minutes"]["business"] < m["reply_time_in_minutes"]["calendar"] for m in metrics
               if m["reply_time_in_minutes"]["calendar"])


def test_given_schedule_triggers_then_about_one_ticket_in_six_runs_on_another_schedule(reader, account):
    set_by_trigger = {t["id"]: reader.schedule_of(t["id"]) for t in reader.tickets if reader.schedule_of(t["id"]) != reader.default}
    assert 0.08 < len(set_by_trigger) / len(reader.tickets) < 0.3 and len(set(set_by_trigger.values())) == 2
    truth = {row["ticket_id"]: row for row in account.truth("ticket_schedules")}
    assert {tid: row["schedule_id"] for tid, row in truth.items()} == set_by_trigger
    triggers = {t["id"]: t for t in account.data.catalog.triggers}
    for ticket_id in list(set_by_trigger)[:20]:
        child = next(c for c in reader.events[ticket_id][0]["child_events"] if "schedule_id" in c)
        assert child["event_type"] == "Create" and child["via"] == "Rule"
        assert (truth[ticket_id]["id"], truth[ticket_id]["via_reference_id"]) == (child["id"], child["via_reference_id"])
        actions = triggers[child["via_reference_id"]]["actions"]
        assert {"field": "set_schedule", "value": child["schedule_id"]} in actions


def test_given_sla_policies_then_breach_events_come_exactly_for_replies_later_than_the_target(account, reader):
    client = Client(account)
    events = records(time_pages(client, "incremental/ticket_metric_events.json", start_time=0), "ticket_metric_events")
    applied = {e["ticket_id"]: e["sla"] for e in events if (e["metric"], e["type"]) == ("reply_time", "apply_sla")}
    assert sorted((r["id"], r["metric"], r["target"]) for r in account.truth("ticket_sla_policies")) == \
        sorted((e["id"], e["metric"], e["sla"]["target"]) for e in events if e["type"] == "apply_sla")
    breached = {e["ticket_id"] for e in events if (e["metric"], e["type"]) == ("reply_time", "breach")}
    as_of = int(ANCHOR) - QUIET_SECONDS
    expected = set()
    for ticket in reader.tickets:
        sla = applied.get(ticket["id"])
        if sla is None:
            continue
        assert sla["business_hours"] is True and sla["policy"]["title"] == "Standard"
        rows = reader.history(ticket["id"])
        created = parse_iso(ticket["created_at"])
        due = int(reader.clocks[reader.schedule_of(ticket["id"])].after(created, sla["target"] * 60))
        reply = next((r["time"] for r in rows[1:] if r["comment"] and r["comment"]["public"] and r["author"] in reader.agents), None)
        if due <= as_of and (reply is None or reply > due):
            expected.add(ticket["id"])
    assert breached == expected
    assert len(expected) > 30 and len(set(applied) - expected) > 30  # both breached and achieved targets
    priorities = {t["id"]: t["priority"] for t in reader.tickets}
    targets = {(m["priority"], m["metric"]): m["target"] for m in account.data.catalog.sla_policies[0]["policy_metrics"]}
    assert all(sla["target"] == targets[(priorities[tid], "first_reply_time")] for tid, sla in applied.items())
    assert {tid for tid, p in priorities.items() if p} == set(applied)


def test_given_mutations_then_the_touched_tickets_metrics_still_follow_their_events():
    account, clock = make_account(seed=3, tickets=300)
    clock.advance(3600)
    created = account.mutate("tickets", 4, 0, 0)["created"]
    updated = set()
    for _ in range(4):
        clock.advance(7200)
        updated |= set(account.mutate("tickets", 0, 40, 0)["updated"])
    clock.advance(61)
    reader = Reader(Client(account))
    assert _check_all(reader)[0] > 250
    by_id = {t["id"]: t["metric_set"] for t in reader.tickets if t.get("metric_set")}
    assert set(created) | updated <= set(by_id)
    assert all(by_id[i]["reply_time_in_minutes"]["calendar"] is None for i in set(created) - updated)
    assert any(by_id[i]["solved_at"] and parse_iso(by_id[i]["solved_at"]) > ANCHOR for i in updated)


# -- metrics.compute on hand-made histories ---------------------------------------------------------------------------
def _ts(text: str) -> int:
    return parse_iso(text)


def _rows(tickets: list[list[tuple]], clock_count: int = 1) -> Rows:
    """Each ticket: a list of (time, status, author, public comment?)."""
    start, cols = [0], defaultdict(list)
    for rows in tickets:
        for when, status, author, public in rows:
            for name, value in (("time", _ts(when)), ("status", status), ("author", author), ("comment", author != SYSTEM),
                                ("public", public), ("assign", False), ("priority", 2)):
                cols[name].append(value)
        start.append(len(cols["time"]))
    n = len(tickets)
    return Rows(np.arange(n), np.array(start), np.arange(start[-1]), np.array(cols["time"]), np.array(cols["status"], dtype=np.uint8),
                np.array(cols["author"], dtype=np.uint8), np.array(cols["comment"]), np.array(cols["public"]),
                np.array(cols["assign"]), np.array(cols["priority"], dtype=np.uint8), np.zeros(n, dtype=np.int64),
                np.full(n, _ts("2026-01-31T00:00:00Z")))


def _targets(reply: int, wait: int) -> Targets:
    table = np.array([0, reply, reply, reply, reply])
    return Targets(table, np.array([0, wait, wait, wait, wait]), True, {"id": 1, "title": "T", "description": ""})


def test_given_a_ticket_created_friday_evening_then_business_minutes_start_monday_and_the_sla_breaches_after_the_target():
    clock = BusinessClock.build(NINE_TO_FIVE, "Eastern Time (US & Canada)", [("2025-12-25", "2025-12-25")],
                                _ts("2025-01-01T00:00:00Z"), _ts("2026-03-01T00:00:00Z"))
    friday = [("2025-03-07T19:30:00-05:00", NEW, REQUESTER, True), ("2025-03-10T10:30:00-04:00", OPEN, AGENT, True),
              ("2025-03-11T09:15:00-04:00", SOLVED, AGENT, True)]
    holiday = [("2025-12-24T16:00:00-05:00", NEW, REQUESTER, True), ("2025-12-26T10:00:00-05:00", PENDING, AGENT, True),
               ("2025-12-29T09:30:00-05:00", OPEN, REQUESTER, True), ("2025-12-29T10:00:00-05:00", SOLVED, AGENT, True)]
    result = compute(_rows([friday, holiday]), [clock], _targets(60, 300))
    m = {name: values.tolist() for name, values in result.ticket.items()}
    assert m["reply_bus"] == [90 * 60, 60 * 60 + 60 * 60]  # Monday 9:00-10:30; Wednesday 16-17 and Friday 9-10
    assert m["reply_cal"] == [62 * 3600, 42 * 3600]
    assert m["first_res_bus"] == [(8 * 60 + 15) * 60, (1 + 8 + 1) * 3600]  # Christmas Day and the weekend closed
    assert m["agent_wait_bus"] == [-1, 7 * 3600 + 30 * 60]  # pending from Friday 10:00 to Monday 9:30
    assert m["requester_wait_bus"] == [(90 + 6 * 60 + 30 + 15) * 60, 2 * 3600 + 30 * 60]
    # The first reply target (60 business minutes) passed on Monday 10:00 and on Christmas Eve at 17:00: both
    # replies came later. The requester wait target (300) passed on Monday 14:00 while the first ticket was open.
    assert m["reply_due"] == [_ts("2025-03-10T10:00:00-04:00"), _ts("2025-12-24T17:00:00-05:00")]
    assert m["wait_due"] == [_ts("2025-03-10T14:00:00-04:00"), -1]


def test_given_a_ticket_solved_reopened_and_solved_again_then_first_and_full_resolution_differ():
    clock = BusinessClock.build([{"start_time": 0, "end_time": 7 * 1440}], "UTC", [], _ts("2025-01-01T00:00:00Z"),
                                _ts("2026-03-01T00:00:00Z"))  # always open: business time is calendar time
    again = [("2025-05-01T08:00:00Z", NEW, REQUESTER, True), ("2025-05-01T09:00:00Z", SOLVED, AGENT, True),
             ("2025-05-02T09:00:00Z", OPEN, REQUESTER, True), ("2025-05-02T12:00:00Z", HOLD, AGENT, False),
             ("2025-05-03T12:00:00Z", SOLVED, AGENT, True)]
    reopened = again[:3]
    result = compute(_rows([again, reopened]), [clock], _targets(480, 2880))
    m = {name: values.tolist() for name, values in result.ticket.items()}
    assert m["first_res_cal"] == [3600, 3600] and m["full_res_cal"] == [52 * 3600, -1]
    assert m["solved_at"] == [_ts("2025-05-03T12:00:00Z"), -1] and m["reopens"] == [1, 1]
    assert m["requester_wait_cal"] == [3600 + 3 * 3600 + 86400, 3600] and m["on_hold_cal"] == [86400, 0]
    assert m["replies"] == [2, 1]


def test_given_every_ticket_update_then_its_author_existed_by_then(reader):
    """dbt_zendesk takes a user's role from the user's created_at on: a reply by an agent created later would not be
    an agent's reply to it."""
    authors = [(e["updater_id"], e["timestamp"], e["ticket_id"]) for events in reader.events.values() for e in events
               if e["updater_id"] in reader.user_created]
    assert len(authors) > 1000
    early = [(ticket, who) for who, when, ticket in authors if reader.user_created[who] > when]
    assert early == []
