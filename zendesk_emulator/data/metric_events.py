"""Ticket metric events (`incremental/ticket_metric_events`): every event metrics.py derives from the tickets'
histories, archived and deleted tickets' included (events are history: a stream a client appends to never loses
any), in Zendesk's event types
(https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-metric-event-types-reference/).

The view's keys are `time << 32 | audit row * SLOTS + slot`; an event's id is METRIC + 500,000,000 + that code, so
it names the audit it came from (breaches name the ticket's first audit) and never changes once recorded.
"""

from __future__ import annotations

import numpy as np

from .dataset import Dataset
from .metrics import EVENTS, ID_BASE, SLOTS
from .order import INDEX_MASK, View
from .serial import dumps

__all__ = ["ID_BASE", "SLOTS", "event", "event_bytes", "truth", "truth_sla_policies", "view"]
_APPLY_SLA = np.array([slot for slot, (_, kind) in enumerate(EVENTS) if kind == "apply_sla"], dtype=np.int64)


def view(ds: Dataset) -> View:
    return ds.cached("#metric_events", lambda: View(ds.metrics.event_keys()))


def event(ds: Dataset, key: int) -> dict:
    return ds.metrics.event(key)


def event_bytes(ds: Dataset, key: int) -> bytes:
    return dumps(ds.metrics.event(key))


def truth(ds: Dataset, iso_all) -> list[dict]:
    keys = view(ds).keys
    codes = (keys & np.uint64(INDEX_MASK)).astype(np.int64)
    times = (keys >> np.uint64(32)).astype(np.int64)
    owners = ds.audits.owner
    rows = codes // SLOTS
    base = rows < ds.audits.base_rows
    tickets = np.zeros(len(rows), dtype=np.int64)
    tickets[base] = owners[rows[base]]
    for k in np.flatnonzero(~base).tolist():
        tickets[k] = ds.audits.ticket_of(int(rows[k]))
    return [{"id": ID_BASE + c, "ticket_id": t + 1, "time": when}
            for c, t, when in zip(codes.tolist(), tickets.tolist(), iso_all(times), strict=True)]


def truth_sla_policies(ds: Dataset) -> list[dict]:
    """The apply_sla events, as the connector's `ticket_sla_policies` keeps them: id, ticket_id, time, metric,
    instance_id and the policy and target applied."""
    keys = view(ds).keys
    codes = (keys & np.uint64(INDEX_MASK)).astype(np.int64)
    out = []
    for key in keys[np.isin(codes % SLOTS, _APPLY_SLA)].tolist():
        e = ds.metrics.event(key)
        out.append({"id": e["id"], "ticket_id": e["ticket_id"], "time": e["time"], "metric": e["metric"],
                    "instance_id": e["instance_id"], "sla_policy_id": e["sla"]["policy"]["id"],
                    "sla_policy_title": e["sla"]["policy"]["title"], "target": e["sla"]["target"],
                    "business_hours": e["sla"]["business_hours"]})
    return out
