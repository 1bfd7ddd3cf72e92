"""Ticket metrics and ticket metric events, computed from each ticket's audits: its comments, status changes, priority
(its SLA policy's targets) and schedule (business hours), the way Zendesk documents them. notes/emulator-metrics.md
says where a definition comes from and where Fivetran's dbt_zendesk counts differently.

A ticket's history is a list of rows, one per audit, in time order: the time, the status after it, who wrote it
(requester, agent or the system), whether it has a comment and whether that is public, whether it assigned the
ticket, the priority after it. The generated audits' rows come from their plan (history.py), vectorised for the
whole account; a ticket a mutation touched is recomputed from its base rows plus the audits the mutation stored
(`patched`), so metrics and events follow `mutate`. One function, `compute`, turns rows into metrics and events for
any set of tickets.

Metrics (`ticket_metrics`; minutes are whole minutes, rounded down; business minutes count only the seconds inside
the ticket's schedule's intervals, holidays excluded):
- reply_time: creation to the first public agent comment (Zendesk's first reply time, measured even if the ticket
  was solved in between);
- first_resolution_time: creation to the first solve; full_resolution_time and solved_at: creation to the latest
  solve, only while the ticket is solved or closed (a reopened ticket has neither, as in Zendesk's payloads);
- requester_wait_time (new, open and on-hold), agent_wait_time (pending), on_hold_time (on-hold): the time spent in
  those statuses, counted when the status changes (a spell still running is not counted); null until a first spell
  ended, on_hold 0;
- replies (public agent comments), reopens (solved to another status but closed), assignee_stations (assignments),
  group_stations, and the timestamps of the latest comment, status change, requester and assignee updates.

Metric events (`incremental/ticket_metric_events`), instance 1 unless said:
- reply_time: activate at creation; fulfill and update_status (the reply time) at the first public agent comment;
  each public requester comment after an agent's reply activates the next instance (next reply time), which the
  next public agent comment fulfills; apply_sla at creation (and at a later priority change before the first reply)
  with the policy's first_reply_time target; breach when that target, counted from creation in business minutes,
  passed before the first reply;
- agent_work_time (runs in new and open) and requester_wait_time (new, open, on-hold): activate at creation, pause
  when the status leaves the running set, activate when it comes back, fulfill and update_status (the time so far)
  at each solve, activate again on a reopen; requester_wait_time has apply_sla and breaches when its running time
  reaches the target;
- periodic_update_time (every public agent comment fulfills the running instance and, unless it solves the ticket,
  activates the next; a reopen activates one) and pausable_update_time (the same, paused while pending).
A breach is recorded once its moment has passed: the account's `as_of` (the quiet time before the anchor for the
generated history, the latest mutation's time for a ticket a mutation touched).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import catalog_rules, ids
from .business_hours import NEVER, BusinessClock
from .columns import DAY, HOLD, NEW, OPEN, PENDING, PRIORITIES, SOLVED, STATUSES
from .order import INDEX_MASK, pack
from .timefmt import iso

if TYPE_CHECKING:
    from .dataset import Dataset

REQUESTER, AGENT, SYSTEM = 0, 1, 2
# Event slots: an event's id is ID_BASE + audit row * SLOTS + slot, so every event names the audit it came from.
EVENTS = (
    ("reply_time", "activate"), ("agent_work_time", "activate"), ("requester_wait_time", "activate"),
    ("pausable_update_time", "activate"), ("periodic_update_time", "activate"),
    ("reply_time", "apply_sla"), ("requester_wait_time", "apply_sla"),
    ("reply_time", "fulfill"), ("reply_time", "update_status"),
    ("pausable_update_time", "fulfill"), ("periodic_update_time", "fulfill"),
    ("pausable_update_time", "activate"), ("periodic_update_time", "activate"),
    ("agent_work_time", "pause"), ("requester_wait_time", "pause"), ("pausable_update_time", "pause"),
    ("agent_work_time", "activate"), ("requester_wait_time", "activate"), ("pausable_update_time", "activate"),
    ("agent_work_time", "fulfill"), ("agent_work_time", "update_status"),
    ("requester_wait_time", "fulfill"), ("requester_wait_time", "update_status"),
    ("reply_time", "breach"), ("requester_wait_time", "breach"),
)
SLOTS = 32
BREACHES = (23, 24)  # the slots of reply_time's and requester_wait_time's breach
ID_BASE = ids.METRIC + 500_000_000
_SLA_METRICS = {"reply_time": "first_reply_time", "requester_wait_time": "requester_wait_time"}
_RUNNING: dict[str, tuple[int, ...]] = {"agent_work_time": (NEW, OPEN), "requester_wait_time": (NEW, OPEN, HOLD)}
_BIG = np.iinfo(np.int64).max // 2
_STATUS_CODES = {name: code for code, name in enumerate(STATUSES)}
_PRIORITY_CODES = {name: code for code, name in enumerate(PRIORITIES) if name}


@dataclass
class Rows:
    """The history of some tickets: rows grouped by ticket (in `tickets` order), each ticket's rows in time order."""

    tickets: np.ndarray  # ticket indexes
    start: np.ndarray  # ticket j's rows are start[j]..start[j+1]
    row_ids: np.ndarray  # the audit row of each row
    time: np.ndarray
    status: np.ndarray  # after the row
    author: np.ndarray  # REQUESTER, AGENT or SYSTEM
    comment: np.ndarray  # bool
    public: np.ndarray  # bool, the comment is public
    assign: np.ndarray  # bool, the row assigned the ticket
    priority: np.ndarray  # after the row (0: none)
    schedule: np.ndarray  # per ticket: position of its schedule among the clocks
    as_of: np.ndarray  # per ticket: until when running clocks count (breaches)


@dataclass
class Targets:
    """The SLA policy's targets by priority code (0: no target), and whether they count business hours."""

    reply: np.ndarray
    wait: np.ndarray
    business: bool
    policy: dict


@dataclass
class Computed:
    tickets: np.ndarray
    row_ids: np.ndarray
    ticket: dict[str, np.ndarray]  # per ticket
    row: dict[str, np.ndarray]  # per row, what serving an event needs
    keys: np.ndarray  # event keys: time << 32 | row id * SLOTS + slot


def _shift(values: np.ndarray, first: np.ndarray, fill) -> np.ndarray:
    """Each row's predecessor's value within its ticket (`fill` on a ticket's first row)."""
    out = np.empty_like(values)
    out[1:] = values[:-1]
    out[first] = fill
    return out


def _member(status: np.ndarray, statuses: tuple[int, ...]) -> np.ndarray:
    """`np.isin` for status codes, by table lookup."""
    table = np.zeros(len(STATUSES), dtype=bool)
    table[list(statuses)] = True
    return table[status]


def _running(values: np.ndarray, head: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Per ticket, the sum of `values` over the rows up to and including each row."""
    total = np.cumsum(values)
    before = total[head] - values[head]
    return total - before[owner]


def _business(clocks: list[BusinessClock], schedule: np.ndarray, times: np.ndarray) -> np.ndarray:
    out = np.zeros(len(times), dtype=np.int64)
    for j, clock in enumerate(clocks):
        mine = schedule == j
        if mine.any():
            out[mine] = clock.elapsed(times[mine])
    return out


def _after(clocks: list[BusinessClock], schedule: np.ndarray, times: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    out = np.full(len(times), NEVER, dtype=np.int64)
    for j, clock in enumerate(clocks):
        mine = schedule == j
        if mine.any():
            out[mine] = clock.after(times[mine], seconds[mine])
    return out


def compute(r: Rows, clocks: list[BusinessClock], targets: Targets) -> Computed:
    n, count = len(r.tickets), len(r.time)
    head = r.start[:-1]
    owner = np.repeat(np.arange(n), np.diff(r.start))
    rank = np.arange(count) - r.start[owner]
    first, last = rank == 0, np.zeros(count, dtype=bool)
    last[r.start[1:] - 1] = True
    t = r.time.astype(np.int64)
    s, prev = r.status, _shift(r.status, first, NEW)
    sched = r.schedule[owner]
    b = _business(clocks, sched, t)
    t_next, b_next = t.copy(), b.copy()
    t_next[:-1], b_next[:-1] = t[1:], b[1:]
    t_next[last], b_next[last] = t[last], b[last]
    cal, bus = t_next - t, b_next - b  # each row's spell in its status, until the next row (0 for the last row)

    # Per ticket, over the rows a mask picks (rows come in ticket order: the first and last of each are where the
    # owner changes; cheaper than reduceat over every row).
    def picked(mask, values, at_end: bool, missing: int) -> np.ndarray:
        idx = np.flatnonzero(mask)
        out = np.full(n, missing, dtype=np.int64)
        if len(idx):
            o = owner[idx]
            keep = np.ones(len(o), dtype=bool)
            if at_end:
                keep[:-1] = o[:-1] != o[1:]
            else:
                keep[1:] = o[1:] != o[:-1]
            out[o[keep]] = values[idx[keep]]
        return out

    def first_of(mask, values):
        return picked(mask, values, False, _BIG)

    def last_of(mask, values):
        return picked(mask, values, True, -1)

    def total(mask, values):
        return np.bincount(owner[mask], weights=values[mask], minlength=n).astype(np.int64)

    def count_of(mask):
        return np.bincount(owner[mask], minlength=n)

    done, done_before = s >= SOLVED, prev >= SOLVED
    agent_reply = (r.author == AGENT) & r.comment & r.public & ~first
    requester_says = (r.author == REQUESTER) & r.comment & r.public
    solve, reopen = done & ~done_before, done_before & ~done
    created, b0 = t[head], b[head]

    # -- metrics ---------------------------------------------------------------------------------------------------
    ticket: dict[str, np.ndarray] = {"created": created}
    reply_at = first_of(agent_reply, t)
    ticket["reply_cal"] = np.where(reply_at < _BIG, reply_at - created, -1)
    ticket["reply_bus"] = np.where(reply_at < _BIG, first_of(agent_reply, b) - b0, -1)
    first_solve, last_solve = first_of(solve, t), last_of(solve, t)
    ticket["first_res_cal"] = np.where(first_solve < _BIG, first_solve - created, -1)
    ticket["first_res_bus"] = np.where(first_solve < _BIG, first_of(solve, b) - b0, -1)
    solved_now = done[last] & (last_solve >= 0)
    ticket["solved_at"] = np.where(solved_now, last_solve, -1)
    ticket["full_res_cal"] = np.where(solved_now, last_solve - created, -1)
    ticket["full_res_bus"] = np.where(solved_now, last_of(solve, b) - b0, -1)
    spells_of: tuple[tuple[str, tuple[int, ...]], ...] = (
        ("agent_wait", (PENDING,)), ("requester_wait", (NEW, OPEN, HOLD)), ("on_hold", (HOLD,)))
    for name, statuses in spells_of:
        spells = _member(s, statuses) & ~last
        ended = count_of(spells) > 0
        ticket[f"{name}_cal"] = np.where(ended | (name == "on_hold"), total(spells, cal), -1)
        ticket[f"{name}_bus"] = np.where(ended | (name == "on_hold"), total(spells, bus), -1)
    ticket["replies"] = count_of(agent_reply)
    ticket["reopens"] = count_of(reopen)
    ticket["assignee_stations"] = count_of(r.assign)
    ticket["initially_assigned_at"], ticket["assigned_at"] = first_of(r.assign, t), last_of(r.assign, t)
    ticket["status_updated_at"] = last_of(first | (s != prev), t)
    ticket["latest_comment_added_at"] = last_of(r.comment, t)
    ticket["requester_updated_at"] = last_of(r.author == REQUESTER, t)
    ticket["agent_updated_at"] = last_of(r.author == AGENT, t)

    # -- events ----------------------------------------------------------------------------------------------------
    rows = np.arange(count)
    # reply_time: the last reply-relevant row before each row says whether an instance is waiting for an agent.
    relevant = agent_reply | requester_says | first
    latest = np.maximum.accumulate(np.where(relevant, rows, -1))
    before = _shift(latest, first, 0)
    waiting = ~agent_reply[before] | first
    reply_fulfill = agent_reply & waiting
    reply_next = requester_says & ~first & ~waiting
    reply_starts = first | reply_next
    reply_inst = _running(reply_starts.astype(np.int64), head, owner)
    started = np.maximum.accumulate(np.where(reply_starts, rows, -1))
    reply_cal = np.where(reply_fulfill, t - t[started], 0)
    reply_bus = np.where(reply_fulfill, b - b[started], 0)
    # agent_work_time and requester_wait_time: running statuses, paused otherwise, fulfilled by each solve.
    moves = {}
    for metric, statuses in _RUNNING.items():
        runs, ran = _member(s, statuses), _member(prev, statuses)
        steady = ~done & ~done_before
        moves[metric] = (first | reopen, (steady & ran & ~runs) | (reopen & ~runs), steady & ~ran & runs & ~first)
    # update metrics: public agent comments fulfill them; pausable_update_time waits while pending.
    update_next = agent_reply & ~done_before & ~done
    update_fulfill = agent_reply & ~done_before
    fresh = first | update_next | reopen
    update_inst = _running(fresh.astype(np.int64), head, owner)
    pending, was_pending = s == PENDING, prev == PENDING
    pausable_pause = pending & ~done & (fresh | (~was_pending & ~done_before))
    pausable_resume = was_pending & ~pending & ~done & ~fresh
    # SLA: applied at creation, again when the priority changes while the metric still runs.
    new_priority = (r.priority != _shift(r.priority, first, 0)) & (r.priority > 0)
    unreplied = _running(reply_fulfill.astype(np.int64), head, owner) - reply_fulfill == 0
    reply_sla = new_priority & unreplied & (targets.reply[r.priority] > 0)
    wait_sla = new_priority & (first | ~done) & (targets.wait[r.priority] > 0)

    def latest_target(applied: np.ndarray, table: np.ndarray) -> np.ndarray:
        at = last_of(applied, rows)
        return np.where(at >= 0, table[r.priority[np.maximum(at, 0)]], 0)

    as_of = r.as_of.astype(np.int64)
    reply_goal = latest_target(reply_sla, targets.reply) * 60
    if targets.business:
        reply_due = _after(clocks, r.schedule, created, reply_goal)
    else:
        reply_due = created + reply_goal
    reply_breach = (reply_goal > 0) & (reply_due < reply_at) & (reply_due <= as_of)  # due first: ties are met
    wait_goal = latest_target(wait_sla, targets.wait) * 60
    waits = _member(s, _RUNNING["requester_wait_time"])
    end_t = t_next.copy()
    end_t[last] = np.maximum(t[last], as_of)
    end_b = b_next.copy()
    end_b[last] = _business(clocks, r.schedule, end_t[last])
    spent = np.where(waits, end_b - b if targets.business else end_t - t, 0)
    upto = _running(spent, head, owner)
    goal = wait_goal[owner]
    crossing = waits & (goal > 0) & (upto - spent < goal) & (upto >= goal) & (spent > 0)
    remaining = (goal - (upto - spent))[crossing]
    if targets.business:
        moment = _after(clocks, sched[crossing], t[crossing], remaining)
    else:
        moment = t[crossing] + remaining
    wait_due = np.full(n, NEVER, dtype=np.int64)
    wait_due[owner[crossing]] = moment
    wait_breach = wait_due <= as_of

    row_ids = r.row_ids.astype(np.int64)
    parts = []
    masks = (first | reply_next, moves["agent_work_time"][0], moves["requester_wait_time"][0], first | reopen,
             first | reopen, reply_sla, wait_sla, reply_fulfill, reply_fulfill, update_fulfill, update_fulfill,
             update_next, update_next, moves["agent_work_time"][1], moves["requester_wait_time"][1], pausable_pause,
             moves["agent_work_time"][2], moves["requester_wait_time"][2], pausable_resume, solve, solve, solve, solve)
    for slot, mask in enumerate(masks):
        parts.append(pack(t[mask], row_ids[mask] * SLOTS + slot))
    # Breaches are keyed by the caller (`Metrics`), which knows when each was first recorded.
    ticket["reply_due"] = np.where(reply_breach, reply_due, -1)
    ticket["wait_due"] = np.where(wait_breach, wait_due, -1)
    ticket["head_row"] = row_ids[head]

    running: dict[str, np.ndarray] = {}
    for metric, statuses in _RUNNING.items():
        spells = _member(s, statuses) & ~last
        for unit, spell in (("cal", cal), ("bus", bus)):
            so_far = np.where(spells, spell, 0)
            running[f"{metric}_{unit}"] = (_running(so_far, head, owner) - so_far).astype(np.int32)
    row = {"reply_inst": reply_inst.astype(np.uint16), "update_inst": update_inst.astype(np.uint16),
           "update_next": update_next, "reply_cal": reply_cal.astype(np.int32), "reply_bus": reply_bus.astype(np.int32),
           "priority": r.priority.astype(np.uint8), **running}
    # Durations and counts fit 32 bits (seconds: 68 years); times stay 64.
    ticket = {name: values.astype(np.int32) if name.endswith(("_cal", "_bus", "replies", "reopens", "stations"))
              else values for name, values in ticket.items()}
    return Computed(r.tickets, row_ids, ticket, row, np.concatenate(parts))


def _slice(r: Rows, lo: int, hi: int) -> Rows:
    """Tickets lo..hi of `r` (positions), with their rows."""
    a, b = int(r.start[lo]), int(r.start[hi])
    return Rows(r.tickets[lo:hi], r.start[lo : hi + 1] - a, r.row_ids[a:b], r.time[a:b], r.status[a:b], r.author[a:b],
                r.comment[a:b], r.public[a:b], r.assign[a:b], r.priority[a:b], r.schedule[lo:hi], r.as_of[lo:hi])


def compute_in_chunks(r: Rows, clocks: list[BusinessClock], targets: Targets, chunk: int = 20_000) -> Computed:
    """`compute`, a chunk of tickets at a time: the same result, with the temporaries of one chunk alive at once
    (measured at 100,000 tickets: a peak of 78 MB instead of 138 MB in one piece)."""
    parts = [compute(_slice(r, lo, min(lo + chunk, len(r.tickets))), clocks, targets)
             for lo in range(0, len(r.tickets), chunk)]
    if len(parts) == 1:
        return parts[0]
    keys = np.concatenate([p.keys for p in parts])
    for p in parts:
        p.keys = keys[:0]
    return Computed(np.concatenate([p.tickets for p in parts]), np.concatenate([p.row_ids for p in parts]),
                    {name: np.concatenate([p.ticket[name] for p in parts]) for name in parts[0].ticket},
                    {name: np.concatenate([p.row[name] for p in parts]) for name in parts[0].row}, keys)


class Metrics:
    """The account's metrics and metric events: the generated history computed once, tickets touched by mutations
    recomputed on the next read (`touched`)."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        cat = ds.catalog
        # As generated: metrics already recorded never move when schedules or the policy change later (holidays only
        # change ahead of the clock, holidays.py).
        self._schedules = [(s["intervals"], s["time_zone"], [(h["start_date"], h["end_date"]) for h in s.get("_holidays", [])])
                           for s in cat.schedules[: len(catalog_rules.SCHEDULES)]]
        self._span = (cat.start - 8 * DAY, cat.end + 400 * DAY)
        self._policy = copy.deepcopy(cat.sla_policies[0]) if cat.sla_policies else None
        self._clocks: list[BusinessClock] | None = None
        self._rows: Rows | None = None
        self._targets: Targets | None = None
        self._base: Computed | None = None
        self._patch: Computed | None = None
        self._patched: dict[int, int] = {}  # ticket index -> position in the patch
        self._patch_rows: dict[int, int] = {}  # audit row -> position in the patch
        self._dirty: set[int] = set()
        self._recorded: dict[tuple[int, int], int] = {}  # (ticket, breach slot) -> its time, once recorded

    # -- inputs ----------------------------------------------------------------------------------------------------
    def clocks(self) -> list[BusinessClock]:
        if self._clocks is None:
            self._clocks = [BusinessClock.build(intervals, zone, holidays, *self._span)
                            for intervals, zone, holidays in self._schedules]
        return self._clocks

    def targets(self) -> Targets:
        if self._targets is None:
            policy = self._policy or {"id": None, "title": "", "description": "", "policy_metrics": []}
            table = {(m["priority"], m["metric"]): m for m in policy["policy_metrics"]}

            def by_priority(metric: str) -> np.ndarray:
                return np.array([0] + [table.get((p, metric), {}).get("target", 0) for p in PRIORITIES[1:]], dtype=np.int64)

            business = all(m.get("business_hours", False) for m in policy["policy_metrics"])
            self._targets = Targets(by_priority("first_reply_time"), by_priority("requester_wait_time"), business, policy)
        return self._targets

    def _base_rows(self) -> Rows:
        ds = self.ds
        audits, cols = ds.audits, ds.tickets.cols
        plan = audits.plan()
        n = audits.base_tickets
        start = audits.offsets[: n + 1].astype(np.int64)
        owner = audits.owner[: audits.base_rows]
        counts = np.diff(start)
        rank = np.arange(audits.base_rows) - start[owner]
        k = counts[owner]
        assign = (((rank == 1) & (k > 1)) | ((rank == 0) & (k == 1))) & (cols.assignee[:n][owner] >= 0)
        author = np.where(plan.agent, AGENT, np.where(plan.automated, SYSTEM, REQUESTER)).astype(np.uint8)
        return Rows(np.arange(n), start, np.arange(audits.base_rows), audits.times, plan.status, author,
                    ~plan.automated, plan.public, assign, cols.priority[:n][owner],
                    catalog_rules.schedule_index(cols.brand[:n], cols.form[:n]),
                    np.full(n, ds.as_of_base, dtype=np.int64))

    def rows(self) -> Rows:
        """The generated history's rows (mutations change columns in place, so they are kept as first read)."""
        if self._rows is None:
            self._rows = self._base_rows()
        return self._rows

    def base(self) -> Computed:
        if self._base is None:
            base = compute_in_chunks(self.rows(), self.clocks(), self.targets())
            breaches = [pack(due[due >= 0], base.ticket["head_row"][due >= 0] * SLOTS + slot)
                        for slot, due in ((BREACHES[0], base.ticket["reply_due"]), (BREACHES[1], base.ticket["wait_due"]))]
            base.keys = np.concatenate([base.keys, *breaches])
            base.keys.sort(kind="stable")  # tickets come in creation order: long sorted runs
            self._base = base
        return self._base

    def _breach_keys(self, patch: Computed) -> np.ndarray:
        """A patched ticket's breaches. One already recorded keeps its time (events never move); a breach the generated
        history had is that one; a new one is recorded at the account's `as_of`, the latest mutation's time, so it
        never lands before a position a client has already read past (`due` may lie between the last `as_of` and
        now: the emulator learns of it only now)."""
        base = self.base()
        n_base = len(base.tickets)
        times, codes = [], []
        for slot, name in zip(BREACHES, ("reply_due", "wait_due"), strict=True):
            for j in np.flatnonzero(patch.ticket[name] >= 0).tolist():
                index = int(patch.tickets[j])
                when = self._recorded.get((index, slot))
                if when is None:
                    earlier = int(base.ticket[name][index]) if index < n_base else -1
                    when = earlier if earlier >= 0 else max(int(patch.ticket[name][j]), self.ds.as_of)
                    self._recorded[(index, slot)] = when
                times.append(when)
                codes.append(int(patch.ticket["head_row"][j]) * SLOTS + slot)
        return pack(np.array(times, dtype=np.int64), np.array(codes, dtype=np.int64))

    # -- mutations -------------------------------------------------------------------------------------------------
    def touched(self, index: int) -> None:
        """A mutation added an audit to ticket `index` (or created it)."""
        self._dirty.add(index)

    def _refresh(self) -> None:
        if not self._dirty:
            return
        ds = self.ds
        base = self.base()
        base_rows = self.rows()
        tickets = sorted(set(self._patched) | self._dirty)
        self._dirty.clear()
        parts: dict[str, list] = {k: [] for k in ("row_ids", "time", "status", "author", "comment", "public", "assign", "priority")}
        start, schedules = [0], []
        cols = ds.tickets.cols
        agents = ds.users.cols.agents
        for index in tickets:
            if index < len(base.tickets):
                lo, hi = base_rows.start[index], base_rows.start[index + 1]
                for name in parts:
                    parts[name].extend(getattr(base_rows, name)[lo:hi].tolist())
            status = parts["status"][-1] if index < len(base.tickets) else NEW
            priority = parts["priority"][-1] if index < len(base.tickets) else 0
            for row in ds.audits.extra_by_ticket.get(index, []):
                audit = ds.audits.extra[row - ds.audits.base_rows]
                fact = _facts(audit, status, priority, agents)
                status, priority = fact["status"], fact["priority"]
                parts["row_ids"].append(row)
                for name, value in fact.items():
                    parts[name].append(value)
            start.append(len(parts["time"]))
            schedules.append(int(catalog_rules.schedule_index(int(cols.brand[index]), int(cols.form[index]))))
        rows = Rows(np.array(tickets, dtype=np.int64), np.array(start, dtype=np.int64),
                    np.array(parts["row_ids"], dtype=np.int64), np.array(parts["time"], dtype=np.int64),
                    np.array(parts["status"], dtype=np.uint8), np.array(parts["author"], dtype=np.uint8),
                    np.array(parts["comment"], dtype=bool), np.array(parts["public"], dtype=bool),
                    np.array(parts["assign"], dtype=bool), np.array(parts["priority"], dtype=np.uint8),
                    np.array(schedules, dtype=np.int64), np.full(len(tickets), ds.as_of, dtype=np.int64))
        self._patch = compute(rows, self.clocks(), self.targets())
        self._patch.keys = np.concatenate([self._patch.keys, self._breach_keys(self._patch)])
        self._patched = {index: j for j, index in enumerate(tickets)}
        self._patch_rows = {row: j for j, row in enumerate(self._patch.row_ids.tolist())}

    # -- reading ---------------------------------------------------------------------------------------------------
    def _where(self, index: int) -> tuple[Computed, int]:
        self._refresh()
        if index in self._patched:
            return self._patch, self._patched[index]  # type: ignore[return-value]
        return self.base(), index

    def _where_row(self, row: int) -> tuple[Computed, int]:
        self._refresh()
        if row in self._patch_rows:
            return self._patch, self._patch_rows[row]  # type: ignore[return-value]
        return self.base(), row

    def event_keys(self) -> np.ndarray:
        """Every metric event's key, ascending."""
        self._refresh()
        base = self.base()
        keys = base.keys
        if not self._patched:
            return keys
        patched = np.fromiter(self._patched, dtype=np.int64)
        rows = ((keys & np.uint64(INDEX_MASK)) // np.uint64(SLOTS)).astype(np.int64)
        keep = ~np.isin(self.ds.audits.owner[rows], patched[patched < len(base.tickets)])
        kept = keys[keep]
        extra = np.sort(self._patch.keys)  # type: ignore[union-attr]
        return np.insert(kept, np.searchsorted(kept, extra), extra)

    def metric_set(self, index: int) -> dict:
        computed, j = self._where(index)
        m = {name: int(values[j]) for name, values in computed.ticket.items()}
        t = self.ds.tickets
        cols = t.cols
        mid = ids.METRIC + index + 1

        def when(value: int) -> str | None:
            return iso(value) if 0 <= value < _BIG else None

        def minutes(cal: int, bus: int) -> dict:
            return {"calendar": None, "business": None} if cal < 0 else {"calendar": cal // 60, "business": bus // 60}

        extra = t.overrides.get(index, {})
        assigned = extra.get("assignee_id", ids.USER + int(cols.assignee[index]) + 1 if cols.assignee[index] >= 0 else None) is not None
        return {
            "url": f"{t.base}/ticket_metrics/{mid}.json",
            "id": mid,
            "ticket_id": index + 1,
            "created_at": iso(m["created"]),
            "updated_at": iso(int(cols.updated[index])),
            "group_stations": 1 if cols.group[index] >= 0 else 0,
            "assignee_stations": m["assignee_stations"],
            "reopens": m["reopens"],
            "replies": m["replies"],
            "assignee_updated_at": when(m["agent_updated_at"]) if assigned else None,
            "requester_updated_at": when(m["requester_updated_at"]),
            "status_updated_at": when(m["status_updated_at"]),
            "initially_assigned_at": when(m["initially_assigned_at"]),
            "assigned_at": when(m["assigned_at"]),
            "solved_at": when(m["solved_at"]),
            "latest_comment_added_at": when(m["latest_comment_added_at"]),
            "custom_status_updated_at": when(m["status_updated_at"]),
            "reply_time_in_minutes": minutes(m["reply_cal"], m["reply_bus"]),
            "reply_time_in_seconds": {"calendar": m["reply_cal"] if m["reply_cal"] >= 0 else None},
            "first_resolution_time_in_minutes": minutes(m["first_res_cal"], m["first_res_bus"]),
            "full_resolution_time_in_minutes": minutes(m["full_res_cal"], m["full_res_bus"]),
            "agent_wait_time_in_minutes": minutes(m["agent_wait_cal"], m["agent_wait_bus"]),
            "requester_wait_time_in_minutes": minutes(m["requester_wait_cal"], m["requester_wait_bus"]),
            "on_hold_time_in_minutes": minutes(m["on_hold_cal"], m["on_hold_bus"]),
        }

    def event(self, key: int) -> dict:
        code = key & INDEX_MASK
        row, slot = divmod(code, SLOTS)
        metric, kind = EVENTS[slot]
        computed, j = self._where_row(row)
        v = computed.row
        if metric == "reply_time":
            instance = 1 if kind in ("apply_sla", "breach") else int(v["reply_inst"][j])
        elif metric in _RUNNING:
            instance = 1
        else:
            instance = int(v["update_inst"][j]) - (kind == "fulfill" and bool(v["update_next"][j]))
        out = {"id": ID_BASE + code, "ticket_id": self.ds.audits.ticket_of(row) + 1, "metric": metric,
               "instance_id": instance, "type": kind, "time": iso(key >> 32)}
        if kind == "apply_sla":
            targets = self.targets()
            table = targets.reply if metric == "reply_time" else targets.wait
            policy = targets.policy
            out["sla"] = {"target": int(table[int(v["priority"][j])]), "business_hours": targets.business,
                          "policy": {"id": policy["id"], "title": policy["title"], "description": policy["description"]}}
        elif kind == "update_status":
            if metric == "reply_time":
                cal, bus = int(v["reply_cal"][j]), int(v["reply_bus"][j])
            else:
                cal, bus = int(v[f"{metric}_cal"][j]), int(v[f"{metric}_bus"][j])
            out["status"] = {"calendar": cal // 60, "business": bus // 60}
        elif kind == "breach":
            out["deleted"] = False
        return out


def _facts(audit: dict, status: int, priority: int, agents: int) -> dict:
    """One stored audit as a history row (the status and priority before it given)."""
    fact = {"time": audit["_ts"], "comment": False, "public": False, "assign": False}
    for event in audit["events"]:
        kind, field = event["type"], event.get("field_name")
        if kind == "Comment":
            fact["comment"], fact["public"] = True, bool(event.get("public"))
        elif kind in ("Create", "Change"):
            if field == "status":
                status = _STATUS_CODES.get(event["value"], status)
            elif field == "priority":
                priority = _PRIORITY_CODES.get(event["value"], 0)
            elif field == "assignee_id" and event["value"]:
                fact["assign"] = True
    author = audit["author_id"]
    fact["author"] = SYSTEM if author == -1 else AGENT if 0 <= author - ids.USER - 1 < agents else REQUESTER
    fact["status"], fact["priority"] = status, priority
    return fact
