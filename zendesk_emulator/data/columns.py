"""Compact per-record columns, generated with numpy in one pass: the only per-record state kept in memory.

Everything else about a record (names, texts, custom field values, audit events) is derived on demand from
(seed, id). Columns hold what must be known for all records at once: timestamps (ordering, exports, truth),
statuses (archive and list membership), and the categorical values that tag counts and search aggregate over.

Time layout: base activity ends `QUIET_SECONDS` before the clock's anchor and spans `sizes.years` back, denser
towards the present; many records share a second (bulk imports, hourly automations), and one burst second holds
`burst_tickets` tickets (a bulk update that moved their generated_timestamp) and another `burst_organizations`
organizations (a bulk API update).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rng import KIND_ORG, KIND_TICKET, KIND_USER, column_rng
from .sizes import Sizes

QUIET_SECONDS = 240
DAY = 86400
ARCHIVE_AFTER = 120 * DAY
TICKET_BURST_AGO = 20 * DAY
ORG_BURST_AGO = 10 * DAY

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
NEW, OPEN, PENDING, HOLD, SOLVED, CLOSED = range(6)
PRIORITIES = (None, "low", "normal", "high", "urgent")
TYPES = (None, "question", "incident", "problem", "task")
INCIDENT, PROBLEM = 2, 3
CHANNELS = ("email", "web", "api", "mobile", "chat", "voice", "native_messaging", "facebook")
SCORES = (None, "unoffered", "offered", "good", "bad")
ROLES = ("end-user", "agent", "admin")
# Status mix by age (new, open, pending, hold, solved, closed): old tickets are closed, young ones still moving.
_OLD = (0.005, 0.02, 0.015, 0.01, 0.03, 0.92)
_MID = (0.02, 0.10, 0.10, 0.05, 0.23, 0.50)
_YOUNG = (0.15, 0.35, 0.15, 0.05, 0.25, 0.05)


@dataclass
class OrgColumns:
    created: np.ndarray
    updated: np.ndarray
    deleted_at: np.ndarray  # 0 = not deleted


@dataclass
class UserColumns:
    created: np.ndarray
    updated: np.ndarray
    role: np.ndarray
    active: np.ndarray
    org: np.ndarray  # organization index, -1 = none
    agents: int  # users 0..agents-1 are staff (the first three admins)


@dataclass
class TicketColumns:
    created: np.ndarray
    updated: np.ndarray
    generated: np.ndarray
    status: np.ndarray
    deleted: np.ndarray
    archived: np.ndarray
    requester: np.ndarray  # user index
    assignee: np.ndarray  # user index, -1 = none
    group: np.ndarray  # group index, -1 = none
    priority: np.ndarray
    type: np.ndarray
    channel: np.ndarray
    brand: np.ndarray
    form: np.ndarray
    score: np.ndarray
    problem: np.ndarray  # ticket index of the problem an incident belongs to, -1 = none
    tags: np.ndarray  # (n, 3) indexes into TAGS + 1, 0 = none
    options: np.ndarray  # (n, k) option column per column-backed custom field (0 = empty; a bitmask for multiselect)
    audit_offsets: np.ndarray  # audits of ticket i are audit rows offsets[i]..offsets[i+1]
    solved: np.ndarray  # when a solved or closed ticket was (last) solved, as generated; 0 for the others


def _spread(rng: np.random.Generator, n: int, start: int, end: int, share_second: float) -> np.ndarray:
    """n ascending timestamps in [start, end], denser towards `end`; about `share_second` of them repeat the previous."""
    u = np.sort(rng.random(n))
    ts = (start + (end - start) * np.sqrt(u)).astype(np.int64)
    idx = np.arange(n)
    idx[1:][rng.random(n - 1) < share_second] = 0
    return ts[np.maximum.accumulate(idx)]


def _burst(rng: np.random.Generator, candidates: np.ndarray, size: int) -> np.ndarray:
    size = min(size, len(candidates))
    return np.sort(rng.choice(candidates, size=size, replace=False)) if size else candidates[:0]


def organizations(seed: int, sizes: Sizes, anchor: int) -> OrgColumns:
    rng = column_rng(seed, KIND_ORG)
    n, end = sizes.organizations, anchor - QUIET_SECONDS
    start = end - int(sizes.years * 365 * DAY)
    created = _spread(rng, n, start, end - DAY, 0.3)
    touched = rng.random(n) < 0.45
    updated = created + (touched * rng.random(n) * (end - created)).astype(np.int64)
    burst_ts = end - ORG_BURST_AGO
    chosen = _burst(rng, np.flatnonzero(updated < burst_ts), sizes.burst_organizations)
    updated[chosen] = burst_ts
    return OrgColumns(created, updated, np.zeros(n, dtype=np.int64))


def users(seed: int, sizes: Sizes, anchor: int, orgs: OrgColumns) -> UserColumns:
    rng = column_rng(seed, KIND_USER)
    n, end = sizes.users, anchor - QUIET_SECONDS
    start = end - int(sizes.years * 365 * DAY)
    agents = max(10, min(3000, n // 30))
    created = _spread(rng, n, start - 30 * DAY, end, 0.1)
    created[:agents] = np.sort(start - 30 * DAY + (rng.random(agents) * 400 * DAY).astype(np.int64))
    created = np.sort(created)
    # The earliest users are the agents (below) and the first end-user, the requester of the earliest tickets
    # (`tickets`): they exist before the account's first ticket, so every comment, assignment and solve comes after
    # its author's created_at (dbt_zendesk starts a user's role there).
    first = agents + 1
    joined = start - 30 * DAY + np.arange(1, first + 1, dtype=np.int64) * (29 * DAY) // (first + 1)
    created[:first] = np.minimum(created[:first], joined)  # both rising: still sorted
    touched = rng.random(n) < 0.6
    updated = created + (touched * rng.random(n) ** 2 * (end - created)).astype(np.int64)
    role = np.zeros(n, dtype=np.uint8)
    role[:agents] = 1
    role[:3] = 2
    active = np.ones(n, dtype=np.uint8)
    gone = np.flatnonzero((rng.random(n) < 0.02) & (role == 0))
    active[gone] = 0
    updated[gone] = np.maximum(updated[gone], created[gone] + (rng.random(len(gone)) * (end - created[gone])).astype(np.int64))
    # An end-user belongs to an organization that already existed when the user was created.
    existing = np.searchsorted(orgs.created, created, "right")
    org = np.where((rng.random(n) < 0.6) & (existing > 0) & (role == 0), (rng.random(n) * existing).astype(np.int64), -1)
    return UserColumns(created, updated, role, active, org.astype(np.int32), agents)


def tickets(seed: int, sizes: Sizes, anchor: int, people: UserColumns, groups: int, brands: int, forms: int,
            option_specs: list[tuple[int, bool]]) -> TicketColumns:
    """`option_specs`: per column-backed custom field, (number of options, is_multiselect)."""
    rng = column_rng(seed, KIND_TICKET)
    n, end = sizes.tickets, anchor - QUIET_SECONDS
    start = end - int(sizes.years * 365 * DAY)
    created = _spread(rng, n, start, end, 0.08)
    age = end - created
    r = rng.random(n)
    status = np.select(
        [age > 30 * DAY, age > 7 * DAY],
        [np.digitize(r, np.cumsum(_OLD)[:-1]), np.digitize(r, np.cumsum(_MID)[:-1])],
        np.digitize(r, np.cumsum(_YOUNG)[:-1]),
    ).astype(np.uint8)
    resolve = np.minimum(rng.lognormal(np.log(20 * 3600), 1.3, n).astype(np.int64), np.maximum(age, 0))
    solved_at = created + resolve
    # Closed: an hourly automation closes solved tickets four days later, all at the same second past the hour.
    close = (solved_at + 4 * DAY) // 3600 * 3600 + 437
    updated = np.select(
        [status == CLOSED, status == SOLVED],
        [np.minimum(close, end), solved_at],
        created + (rng.random(n) ** 2 * np.minimum(age, 20 * DAY)).astype(np.int64),
    )
    updated = np.clip(updated, created, end)
    # System updates (SLA recalculation, user merges) move generated_timestamp alone; they run as batch jobs, so
    # the tickets they touch share the job's second. Jobs run more often in busier accounts.
    generated = updated.copy()
    system = rng.random(n) < 0.12
    period = int(np.clip((end - start) * 50 / n, 3600, 30 * DAY))
    generated[system] = np.minimum(end, (updated[system] // period + 1) * period + 1234)
    burst_ts = end - TICKET_BURST_AGO
    chosen = _burst(rng, np.flatnonzero(generated < burst_ts), sizes.burst_tickets)
    generated[chosen] = burst_ts
    live = chosen[status[chosen] != CLOSED]
    updated[live] = burst_ts
    deleted = np.zeros(n, dtype=np.uint8)
    not_burst = np.ones(n, dtype=bool)
    not_burst[chosen] = False
    gone = np.flatnonzero((rng.random(n) < 0.01) & not_burst)
    deleted[gone] = 1
    when = generated[gone] + (rng.random(len(gone)) * np.minimum(60 * DAY, end - generated[gone])).astype(np.int64)
    updated[gone] = generated[gone] = when
    lately = _deleted_lately(seed, generated, deleted, not_burst, end)
    deleted[lately] = 1
    updated[lately] = generated[lately] = generated[lately] + (
        _lately_rng(seed).random(len(lately)) * (end - generated[lately])).astype(np.int64)
    archived = ((status == CLOSED) & (updated < anchor - ARCHIVE_AFTER) & (deleted == 0)).astype(np.uint8)

    # People: requesters are end-users who existed when the ticket was created (a few customers file many tickets).
    agents = people.agents
    existing = np.maximum(np.searchsorted(people.created, created, "right"), agents + 1)
    span = existing - agents
    requester = agents + np.minimum((rng.random(n) ** 1.6 * span).astype(np.int64), span - 1)
    assigned = status != NEW
    assignee = np.where(assigned & (rng.random(n) < 0.97), (rng.random(n) * agents).astype(np.int64), -1)
    group = np.where(assigned | (rng.random(n) < 0.5), (rng.random(n) * groups).astype(np.int64), -1)
    priority = np.digitize(rng.random(n), [0.25, 0.40, 0.80, 0.95]).astype(np.uint8)
    ttype = np.digitize(rng.random(n), [0.20, 0.60, 0.75, 0.85]).astype(np.uint8)
    channel = np.digitize(rng.random(n), [0.45, 0.70, 0.80, 0.88, 0.94, 0.97, 0.99]).astype(np.uint8)
    brand = np.where(rng.random(n) < 0.85, 0, (rng.random(n) * brands).astype(np.int64)).astype(np.uint8)
    form = np.where(rng.random(n) < 0.7, 0, (rng.random(n) * forms).astype(np.int64)).astype(np.uint8)
    done = (status == SOLVED) | (status == CLOSED)
    score = np.where(done, np.digitize(rng.random(n), [0.35, 0.75, 0.93]) + 1, np.where(rng.random(n) < 0.1, 0, 1))
    score[channel == 2] = 0  # API-created tickets are never surveyed
    # Incidents link to an earlier problem ticket.
    problems = np.flatnonzero(ttype == PROBLEM)
    incidents = np.flatnonzero(ttype == INCIDENT)
    problem = np.full(n, -1, dtype=np.int64)
    if len(problems):
        before = np.searchsorted(problems, incidents, "left")
        linked = incidents[(before > 0) & (rng.random(len(incidents)) < 0.3)]
        before = np.searchsorted(problems, linked, "left")
        problem[linked] = problems[(rng.random(len(linked)) * before).astype(np.int64)]
    tags = np.where(rng.random((n, 3)) < [0.7, 0.45, 0.2], 1 + (rng.random((n, 3)) ** 1.5 * 48).astype(np.int64), 0)
    options = np.zeros((n, len(option_specs)), dtype=np.uint8)
    for j, (count, multi) in enumerate(option_specs):
        filled = rng.random(n) < 0.65
        if multi:
            one = 1 << (rng.random(n) * count).astype(np.int64)
            two = np.where(rng.random(n) < 0.35, 1 << (rng.random(n) * count).astype(np.int64), 0)
            options[:, j] = filled * (one | two)
        else:
            options[:, j] = filled * (1 + (rng.random(n) * count).astype(np.int64))
    mean_extra = max(0.0, sizes.audits_per_ticket - 1.0)
    audits = 1 + np.minimum(rng.poisson(mean_extra * np.where(status == NEW, 0.2, 1.0)), 40)
    audits[(updated > created) & (audits < 2)] = 2
    audits[status == CLOSED] = np.maximum(audits[status == CLOSED], 3)  # the solve, then the automation's close
    audits[deleted == 1] = np.maximum(audits[deleted == 1], 1)
    offsets = np.concatenate([[0], np.cumsum(audits)]).astype(np.int64)
    return TicketColumns(created, updated, generated, status, deleted, archived, requester, assignee, group,
                         priority, ttype, channel, brand, form, score.astype(np.uint8), problem,
                         tags.astype(np.uint8), options, offsets, np.where(done, solved_at, 0))


def _lately_rng(seed: int) -> np.random.Generator:
    """The draws for tickets deleted lately come from a generator of their own: no other draw of the account moves."""
    return np.random.default_rng(seed * 7919 + 19)


def _deleted_lately(seed: int, generated: np.ndarray, deleted: np.ndarray, eligible: np.ndarray, end: int) -> np.ndarray:
    """Tickets agents deleted in the last 30 days (spam, duplicates: soon after their last update), so that Zendesk's
    deleted-ticket list, which keeps 30 days, holds some even on a small account: 2% of the tickets updated in those
    days, at least two."""
    candidates = np.flatnonzero(eligible & (deleted == 0) & (generated >= end - 30 * DAY))
    draws = _lately_rng(seed + 1).random(len(candidates))
    chosen = candidates[draws < 0.02]
    return chosen if len(chosen) >= 2 else np.sort(candidates[np.argsort(draws)[:2]])


def audit_times(seed: int, cols: TicketColumns) -> np.ndarray:
    """created_at of every audit row: the first at ticket creation, the last at its last update, the rest between. A
    closed ticket's last audit is the automation's close, and the one before it the solve, at its `solved` time: the
    human audits spread over [created, solved]."""
    rng = column_rng(seed, KIND_TICKET + 100)
    counts = np.diff(cols.audit_offsets)
    owner = np.repeat(np.arange(len(counts)), counts)
    rank = np.arange(len(owner)) - cols.audit_offsets[owner]
    closing = (cols.status[owner] == CLOSED) & (counts[owner] >= 3)
    human = counts[owner] - closing
    last = np.maximum(human - 1, 1)
    jitter = np.where((rank > 0) & (rank < human - 1), rng.random(len(owner)) * 0.8 - 0.4, 0.0)
    frac = np.minimum((rank + jitter) / last, 1.0)
    created, updated = cols.created[owner], cols.updated[owner]
    end = np.where(closing, np.clip(cols.solved[owner], created, updated), updated)
    times = created + (frac * (end - created)).astype(np.int64)
    return np.where(closing & (rank == counts[owner] - 1), updated, times)
