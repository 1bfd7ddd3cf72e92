"""What agents did around tickets: the activity stream and ticket skips, both derived from ticket columns and audits.

Activities: Zendesk lists "ticket activities in the last 30 days affecting the agent making the request". Half of
the ticket audits of the last 30 days raise one (a comment, an assignment or a priority increase) for the ticket's
assignee, or for the account owner, who follows a third of them. The 30 days are counted back from the account's
creation (the emulator's start), so the endpoint and the ground truth agree without a clock; audits added by
mutations are always inside. Id ACTIVITY + audit row + 1; created_at = updated_at = the audit's time.

Skips: about 3% of the generated tickets were skipped once by an agent in guided mode (0.8% twice), at a time between
the ticket's creation and its last update as generated. Tickets deleted or archived leave the list, as documented
for archived ones. Id SKIP + 2 * ticket index + k + 1; `mutate("ticket_skips", create=n)` adds skips now.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from . import ids
from .columns import DAY
from .dataset import Dataset
from .derive import base_column, state, unit
from .serial import dumps, loads
from .timefmt import iso

WINDOW = 30 * DAY
VERBS = ("tickets.comment", "tickets.assignment", "tickets.priority_increase")
_TITLES = ("{actor} commented on ticket #{ticket}.", "{actor} assigned ticket #{ticket} to you.",
           "{actor} increased the priority of ticket #{ticket}.")
REASONS = ("I don't know how to answer this", "Needs a specialist", "Waiting for the customer's account details",
           "Language I don't speak", "Not my product area")
SKIP_CREATED_BASE = 900_000_000


@dataclass
class Activities:
    row: np.ndarray  # audit row
    time: np.ndarray
    ticket: np.ndarray
    verb: np.ndarray
    user: np.ndarray  # the agent affected (user index)
    actor: np.ndarray


def window_start(ds: Dataset) -> int:
    return ds.anchor - WINDOW


def activities(ds: Dataset) -> Activities:
    return ds.cached("#activities", lambda: _activities(ds))


def _activities(ds: Dataset) -> Activities:
    audits, cols = ds.audits, ds.tickets.cols
    start = window_start(ds)
    rows = np.flatnonzero(audits.times >= start)
    extra = [k for k, a in enumerate(audits.extra) if a["_ts"] >= start]
    rows = np.concatenate([rows, audits.base_rows + np.array(extra, dtype=np.int64)]).astype(np.int64)
    time = np.concatenate([audits.times[rows[: len(rows) - len(extra)]], [audits.extra[k]["_ts"] for k in extra]])
    ticket = np.concatenate([audits.owner[rows[: len(rows) - len(extra)]],
                             [audits.extra[k]["ticket_id"] - 1 for k in extra]]).astype(np.int64)
    agents = ds.users.cols.agents
    owner_follows = unit(ds.seed, 93, rows) < 0.35
    user = np.where(owner_follows, 0, cols.assignee[ticket])
    verb = np.searchsorted([0.55, 0.85], unit(ds.seed, 92, rows), "right")
    other = (unit(ds.seed, 94, rows) * agents).astype(np.int64)
    other = np.where(other == user, (other + 1) % agents, other)
    actor = np.where(verb == 0, cols.requester[ticket], other)
    keep = (unit(ds.seed, 91, rows) < 0.5) & (user >= 0) & (cols.deleted[ticket] == 0)
    return Activities(rows[keep], time[keep].astype(np.int64), ticket[keep], verb[keep], user[keep], actor[keep])


def activity(ds: Dataset, a: Activities, k: int) -> tuple[dict, int, int]:
    """The activity at position k, without its embedded users; also (user index, actor index) to embed."""
    ticket, user, actor = int(a.ticket[k]), int(a.user[k]), int(a.actor[k])
    subject = loads(ds.ticket_bytes(ticket))["subject"]
    verb = int(a.verb[k])
    aid = ids.ACTIVITY + int(a.row[k]) + 1
    target = {"ticket": {"id": ticket + 1, "subject": subject}}
    obj = {"comment": {"value": f"Re: {subject}", "public": True}} if verb == 0 else target
    stamp = iso(int(a.time[k]))
    return {"url": f"{ds.users.base}/activities/{aid}.json", "id": aid, "verb": VERBS[verb],
            "title": _TITLES[verb].format(actor=ds.users.name(actor), ticket=ticket + 1),
            "user_id": ids.USER + user + 1, "actor_id": ids.USER + actor + 1, "object": obj, "target": target,
            "created_at": stamp, "updated_at": stamp}, user, actor


def activity_bytes(ds: Dataset, a: Activities, k: int) -> tuple[bytes, int, int]:
    record, user, actor = activity(ds, a, k)
    body = dumps(record)[:-1]
    return body + b',"user":' + ds.user_bytes(user) + b',"actor":' + ds.user_bytes(actor) + b"}", user, actor


# -- skips -----------------------------------------------------------------------------------------------------------
@dataclass
class AddedSkips:
    rows: list[tuple[int, int, int, int]] = field(default_factory=list)  # (ticket index, user index, ts, reason)


@dataclass
class Skips:
    id: np.ndarray
    ticket: np.ndarray
    user: np.ndarray
    time: np.ndarray
    reason: np.ndarray


def added_skips(ds: Dataset) -> AddedSkips:
    return state(ds, "ticket_skips", AddedSkips)


def skips(ds: Dataset) -> Skips:
    """Every skip (deleted and archived tickets' included; the list filters them)."""
    return ds.cached("#skips", lambda: _skips(ds))


def _skips(ds: Dataset) -> Skips:
    cols = ds.tickets.cols
    n = min(ds.sizes.tickets, len(cols.created))  # tickets created by mutations only get skips through mutate
    index = np.arange(n)
    created, updated = cols.created[:n], base_column(ds, "updated")[:n]
    agents = ds.users.cols.agents
    parts: list[tuple[np.ndarray, ...]] = []
    for k, share in enumerate((0.03, 0.008)):
        chosen = index[unit(ds.seed, 100, index) < share]
        when = created[chosen] + ((updated[chosen] - created[chosen]) * unit(ds.seed, 101 + k, chosen)).astype(np.int64)
        user = (unit(ds.seed, 103 + k, chosen) * agents).astype(np.int64)
        reason = (unit(ds.seed, 105 + k, chosen) * len(REASONS)).astype(np.int64)
        parts.append((ids.SKIP + 2 * chosen + k + 1, chosen, user, when, reason))
    added = added_skips(ds).rows
    if added:
        parts.append((ids.SKIP + SKIP_CREATED_BASE + np.arange(1, len(added) + 1), *(np.array(c) for c in zip(*added, strict=True))))
    columns = [np.concatenate([p[j] for p in parts]).astype(np.int64) for j in range(5)]
    return Skips(*columns)


def skip_bytes(ds: Dataset, s: Skips, k: int) -> bytes:
    stamp = iso(int(s.time[k]))
    ticket = int(s.ticket[k])
    head = dumps({"id": int(s.id[k]), "ticket_id": ticket + 1, "user_id": ids.USER + int(s.user[k]) + 1,
                  "reason": REASONS[int(s.reason[k])], "created_at": stamp, "updated_at": stamp})[:-1]
    return head + b',"ticket":' + ds.ticket_bytes(ticket) + b"}"


def add_skips(ds: Dataset, rng: random.Random, ts: int, n: int) -> list[int]:
    live = ds.listable_tickets()
    added = added_skips(ds).rows
    out = []
    for _ in range(n):
        ticket = int(live[int(rng.random() * len(live))])
        added.append((ticket, int(rng.random() * ds.users.cols.agents), ts, int(rng.random() * len(REASONS))))
        out.append(ids.SKIP + SKIP_CREATED_BASE + len(added))
    return out
