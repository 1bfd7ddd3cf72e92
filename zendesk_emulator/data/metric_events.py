"""Ticket metric events (`incremental/ticket_metric_events`), derived from each ticket's metric set so both agree.

Per ticket, archived and deleted ones included (events are history: a stream a client appends to never loses any),
in Zendesk's event types
(https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-metric-event-types-reference/):

- at creation: `activate` for reply_time (instance 1), agent_work_time and requester_wait_time; and, when the ticket
  had a priority then, `apply_sla` for reply_time and requester_wait_time with the Standard policy's target for
  that priority (`sla: {target, business_hours, policy: {id, title, description}}`);
- at the first reply (created + the metric set's `reply_time_in_seconds.calendar`): reply_time `fulfill` and
  `update_status` (`status` = the metric set's `reply_time_in_minutes`);
- a reply_time `breach` (with `deleted: false`) at created + target when the reply came later or never, if that
  moment has passed;
- at the metric set's `solved_at`: `fulfill` and `update_status` for agent_work_time and requester_wait_time
  (requester wait = the metric set's `requester_wait_time_in_minutes`; agent work = resolution minus on-hold time).

Simplifications (ours): no pause/activate pairs for pending or on-hold spells, business hours counted as calendar
time for the breach moment. The metric set's numbers come from an arithmetic hash (`Tickets.metric_set`); the view
repeats that arithmetic with numpy, for every ticket at once. Event id = METRIC + 500,000,000 + index * SLOTS + kind.
"""

from __future__ import annotations

import numpy as np

from . import ids
from .columns import CLOSED, QUIET_SECONDS, SOLVED
from .dataset import Dataset
from .order import INDEX_MASK, View, pack
from .serial import dumps
from .timefmt import iso, parse_iso

KINDS = (("reply_time", "activate"), ("agent_work_time", "activate"), ("requester_wait_time", "activate"),
         ("reply_time", "apply_sla"), ("requester_wait_time", "apply_sla"), ("reply_time", "fulfill"),
         ("reply_time", "update_status"), ("reply_time", "breach"), ("agent_work_time", "fulfill"),
         ("agent_work_time", "update_status"), ("requester_wait_time", "fulfill"), ("requester_wait_time", "update_status"))
SLOTS = 16
ID_BASE = ids.METRIC + 500_000_000
_SLA_METRIC = {"reply_time": "first_reply_time", "requester_wait_time": "requester_wait_time"}
_PRIORITY_NAMES = (None, "low", "normal", "high", "urgent")
_M64 = 0xFFFFFFFFFFFFFFFF


def view(ds: Dataset) -> View:
    return ds.cached("#metric_events", lambda: _build(ds))


def _policy(ds: Dataset) -> dict:
    """The Standard policy as the account was generated with it. Metric events are history: a policy changed or
    deleted later (an sla_policies mutation) does not rewrite the events of the tickets it applied to."""
    return ds.cached("#metric_events.policy", lambda: ds.catalog._sla_policies()[0])


def _targets(ds: Dataset, metric: str) -> np.ndarray:
    """Target minutes by priority code (0 = no priority, no SLA)."""
    targets = {(m["priority"], m["metric"]): m["target"] for m in _policy(ds)["policy_metrics"]}
    return np.array([0] + [targets.get((p, _SLA_METRIC[metric]), 0) for p in _PRIORITY_NAMES[1:]], dtype=np.int64)


def _priority_at_creation(ds: Dataset) -> np.ndarray:
    """Audits create high and urgent tickets with more than one audit as normal and escalate them later."""
    cols = ds.tickets.cols
    counts = np.diff(ds.audits.offsets)[: len(cols.created)]
    return np.where((cols.priority >= 3) & (counts > 1), 2, cols.priority).astype(np.int64)


def _priority_of(ds: Dataset, index: int) -> int:
    """`_priority_at_creation` for one ticket."""
    priority = int(ds.tickets.cols.priority[index])
    offsets = ds.audits.offsets
    return 2 if priority >= 3 and offsets[index + 1] - offsets[index] > 1 else priority


def _metric_times(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(reply seconds or -1, solved_at or -1) per ticket, as `Tickets.metric_set` computes them: from the generated
    history, then what mutations recorded at the time they happened (`metric_overrides`)."""
    t = ds.tickets
    cols = t.cols
    n = len(cols.created)
    index = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = (index + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(ds.seed * 0xBF58476D1CE4E5B9 & _M64)
        h = (h ^ (h >> np.uint64(29))) * np.uint64(0x94D049BB133111EB)
    first_draw = (h & np.uint64(0xFF)).astype(np.float64) / 256.0
    created = cols.created.astype(np.int64)
    base_updated = cols.updated.astype(np.int64).copy()
    status = cols.status.copy()
    for index_, extra in t.overrides.items():
        if "_base" in extra:
            base_updated[index_] = extra["_base"]["updated"]
            status[index_] = extra["_base"]["status"]
    life = np.maximum(0, base_updated - created)
    answered = (status != 0) & (life > 0)
    reply = np.where(answered, np.minimum(life, (first_draw ** 3 * 2 * 86400).astype(np.int64)), -1)
    solved = np.select([status == SOLVED, status == CLOSED], [created + life, created + np.maximum(0, life - 4 * 86400 - 3600)], -1)
    for index_, extra in t.metric_overrides.items():
        if extra.get("solved_at"):
            solved[index_] = parse_iso(extra["solved_at"])
        if (extra.get("reply_time_in_seconds") or {}).get("calendar") is not None:
            reply[index_] = extra["reply_time_in_seconds"]["calendar"]
    return reply, solved


def _build(ds: Dataset) -> View:
    created = ds.tickets.cols.created.astype(np.int64)
    reply, solved = _metric_times(ds)
    priority = _priority_at_creation(ds)
    reply_target = _targets(ds, "reply_time")[priority] * 60
    breach = created + reply_target
    answered, done, sla = reply >= 0, solved >= 0, priority > 0
    late = sla & ((reply < 0) | (reply > reply_target)) & (breach <= ds.anchor - QUIET_SECONDS)
    every = np.arange(len(created))
    when = {"activate": (every, created), "apply_sla": (np.flatnonzero(sla), created),
            "reply": (np.flatnonzero(answered), created + reply), "breach": (np.flatnonzero(late), breach),
            "solved": (np.flatnonzero(done), solved)}
    moments = ("activate", "activate", "activate", "apply_sla", "apply_sla", "reply", "reply", "breach",
               "solved", "solved", "solved", "solved")
    parts = []
    for kind, moment in enumerate(moments):
        chosen, at = when[moment]
        parts.append(pack(at[chosen], chosen * SLOTS + kind))
    keys = np.concatenate(parts)
    # Tickets are numbered in creation order, so several parts arrive sorted: a merge sort over runs is ~3x faster.
    keys.sort(kind="stable")
    return View(keys)


def _minutes(seconds: int) -> dict:
    calendar = seconds // 60
    return {"calendar": calendar, "business": calendar * 5 // 16}


def event(ds: Dataset, key: int) -> dict:
    code = key & INDEX_MASK
    index, kind = divmod(code, SLOTS)
    metric, event_type = KINDS[kind]
    out = {"id": ID_BASE + code, "ticket_id": index + 1, "metric": metric, "instance_id": 1, "type": event_type,
           "time": iso(key >> 32)}
    if event_type == "apply_sla":
        policy = _policy(ds)
        target = int(_targets(ds, metric)[_priority_of(ds, index)])
        out["sla"] = {"target": target, "business_hours": True,
                      "policy": {"id": policy["id"], "title": policy["title"], "description": policy["description"]}}
    elif event_type == "update_status":
        metrics = ds.tickets.metric_set(index)
        if metric == "reply_time":
            out["status"] = metrics["reply_time_in_minutes"]
        elif metric == "requester_wait_time":
            out["status"] = metrics["requester_wait_time_in_minutes"]
        else:
            resolution = metrics["full_resolution_time_in_minutes"]["calendar"] or 0
            out["status"] = _minutes(max(0, resolution - metrics["on_hold_time_in_minutes"]["calendar"]) * 60)
    elif event_type == "breach":
        out["deleted"] = False
    return out


def event_bytes(ds: Dataset, key: int) -> bytes:
    return dumps(event(ds, key))


def truth(ds: Dataset, iso_all) -> list[dict]:
    keys = view(ds).keys
    codes = (keys & np.uint64(INDEX_MASK)).astype(np.int64)
    times = (keys >> np.uint64(32)).astype(np.int64)
    return [{"id": ID_BASE + c, "ticket_id": c // SLOTS + 1, "time": t}
            for c, t in zip(codes.tolist(), iso_all(times), strict=True)]
