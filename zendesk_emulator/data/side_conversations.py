"""Side conversations: email threads an agent starts from a ticket with someone outside it (a vendor, another team).

About 5% of the generated tickets past "new" have one (1.5% two), started after the ticket was created and last
active before its last update as generated; a thread on a solved or closed ticket is closed, others are closed
four times in ten. Ids are UUIDs fixed by (seed, ticket, k). `include=events` adds each thread's events: the
create, one to three replies, and the update that closed it. Mutations: `create` starts a thread on a live ticket
now, `update` adds a reply (or closes an open thread), moving `updated_at`; Zendesk has no delete. Zendesk records
side conversation events on their ticket, so a mutation also moves the ticket's `generated_timestamp` (the cursor of
the ticket export; `updated_at` stays): a sync that follows the export finds the tickets whose threads changed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from . import ids
from .catalog_rules import stable_uuid
from .columns import NEW, SOLVED
from .dataset import Dataset
from .derive import base_column, state, unit, unit1
from .timefmt import iso

SUBJECTS = ("Can you confirm the refund went through?", "Shipment stuck at the warehouse", "Engineering: is this a known bug?",
            "Invoice correction needed", "Replacement part availability", "Please check the customer's SSO setup")
VENDORS = (("Carrier support", "support@carrier.example"), ("Billing team", "billing@acme-finance.example"),
           ("Engineering on-call", "oncall@acme-eng.example"), ("Parts supplier", "orders@parts.example"))
BODIES = ("Could you take a look and let me know?", "Thanks, we are checking on our side.",
          "Confirmed, this is fixed now.", "We need a few more details from the customer.")


@dataclass
class Changes:
    created: list[tuple[int, int]] = field(default_factory=list)  # (ticket index, ts)
    touched: dict[str, dict] = field(default_factory=dict)  # id -> {"message_added_at", "state", "state_updated_at", "replies"}


def changes(ds: Dataset) -> Changes:
    return state(ds, "side_conversations", Changes)


def counts(ds: Dataset) -> np.ndarray:
    """Generated threads per generated ticket."""
    def build() -> np.ndarray:
        n = ds.sizes.tickets
        index = np.arange(n)
        u = unit(ds.seed, 120, index)
        eligible = base_column(ds, "status")[:n] != NEW
        return (eligible & (u < 0.05)).astype(np.int64) + (eligible & (u < 0.015))
    return state(ds, "side_conversation_counts", build)


def _times(created, updated, status, a, b, c):
    """(created, message_added_at, state_updated_at, closed) for threads given their ticket's generated times."""
    span = np.maximum(updated - created, 0)
    start = created + (span * (0.05 + 0.45 * a)).astype(np.int64)
    message = start + ((updated - start) * (0.2 + 0.6 * b)).astype(np.int64)
    closed = (status >= SOLVED) | (c < 0.4)
    closed_at = np.where(closed, message + ((updated - message) * 0.5).astype(np.int64), start)
    return start, message, closed_at, closed


def _base(ds: Dataset, ticket: int, k: int) -> dict:
    key = ticket * 2 + k
    status, updated = base_column(ds, "status"), base_column(ds, "updated")
    a, b, c = (np.array([unit1(ds.seed, salt, key)]) for salt in (121, 122, 123))
    start, message, closed_at, closed = _times(np.array([ds.tickets.cols.created[ticket]]), np.array([updated[ticket]]),
                                                np.array([status[ticket]]), a, b, c)
    return {"id": stable_uuid(ds.seed, "side_conversation", key), "ticket": ticket, "created": int(start[0]),
            "message_added_at": int(message[0]), "state_updated_at": int(closed_at[0]), "closed": bool(closed[0]),
            "replies": 1 + int(unit1(ds.seed, 124, key) * 3), "key": key}


def _created(ds: Dataset, n: int, ticket: int, ts: int) -> dict:
    key = -(n + 1)
    return {"id": stable_uuid(ds.seed, "side_conversation_created", n), "ticket": ticket, "created": ts,
            "message_added_at": ts, "state_updated_at": ts, "closed": False, "replies": 0, "key": key}


def threads_of(ds: Dataset, ticket: int) -> list[dict]:
    """The ticket's threads as internal dicts (mutations applied), oldest first."""
    count = counts(ds)
    out = [_base(ds, ticket, k) for k in range(int(count[ticket]) if ticket < len(count) else 0)]
    out += [_created(ds, n, t, ts) for n, (t, ts) in enumerate(changes(ds).created) if t == ticket]
    touched = changes(ds).touched
    for thread in out:
        thread.update(touched.get(thread["id"], {}))
    return sorted(out, key=lambda t: (t["created"], t["id"]))


def updated_of(thread: dict) -> int:
    return max(thread["message_added_at"], thread["state_updated_at"])


def _participants(ds: Dataset, thread: dict) -> tuple[dict, dict]:
    assignee = int(ds.tickets.cols.assignee[thread["ticket"]])
    agent = assignee if assignee >= 0 else 0
    name, email = VENDORS[abs(thread["key"]) % len(VENDORS)]
    return ({"user_id": ids.USER + agent + 1, "name": ds.users.name(agent), "email": ds.users.email(agent)},
            {"user_id": None, "name": name, "email": email})


def record(ds: Dataset, thread: dict) -> dict:
    agent, outside = _participants(ds, thread)
    subject = SUBJECTS[abs(thread["key"]) % len(SUBJECTS)]
    tid = thread["ticket"] + 1
    return {"url": f"{ds.users.base}/tickets/{tid}/side_conversations/{thread['id']}", "id": thread["id"],
            "ticket_id": tid, "subject": subject, "preview_text": BODIES[abs(thread["key"]) % len(BODIES)],
            "state": "closed" if thread["closed"] else "open", "participants": [agent, outside],
            "external_ids": {}, "created_at": iso(thread["created"]), "updated_at": iso(updated_of(thread)),
            "message_added_at": iso(thread["message_added_at"]), "state_updated_at": iso(thread["state_updated_at"])}


def events(ds: Dataset, thread: dict) -> list[dict]:
    """The create event, the replies (alternating sides, the last at message_added_at) and the closing update."""
    agent, outside = _participants(ds, thread)
    subject = SUBJECTS[abs(thread["key"]) % len(SUBJECTS)]
    tid, sid = thread["ticket"] + 1, thread["id"]

    def event(n: int, kind: str, actor: dict, at: int, **extra) -> dict:
        eid = stable_uuid(ds.seed, f"side_conversation_event:{sid}", n)
        return {"id": eid, "side_conversation_id": sid, "ticket_id": tid, "actor": actor, "type": kind, "via": "api",
                "created_at": iso(at), "url": f"{ds.users.base}/tickets/{tid}/side_conversations/{sid}/events/{eid}",
                "message": None, "updates": {}, **extra}

    def message(sender: dict, to: dict, body: str) -> dict:
        return {"subject": subject, "preview_text": body, "body": body, "html_body": f"<p>{body}</p>",
                "from": sender, "to": [to], "external_ids": {}}

    out = [event(0, "create", agent, thread["created"], message=message(agent, outside, BODIES[0]))]
    replies = thread["replies"]
    for r in range(replies):
        at = thread["created"] + (thread["message_added_at"] - thread["created"]) * (r + 1) // replies
        sender, to = (outside, agent) if r % 2 == 0 else (agent, outside)
        out.append(event(1 + r, "reply", sender, at, message=message(sender, to, BODIES[1 + r % 3])))
    if thread["closed"]:
        out.append(event(1 + replies, "update", agent, thread["state_updated_at"], updates={"state": "closed"}))
    return out


def truth_rows(ds: Dataset) -> list[dict]:
    """(id, ticket_id, updated_at) of every thread of every ticket that is not deleted."""
    count = counts(ds)
    cols = ds.tickets.cols
    status, updated = base_column(ds, "status"), base_column(ds, "updated")
    rows = []
    for k in (0, 1):
        tickets = np.flatnonzero((count > k) & (cols.deleted[: len(count)] == 0))
        keys = tickets * 2 + k
        a, b, c = (unit(ds.seed, salt, keys) for salt in (121, 122, 123))
        _, message, closed_at, _ = _times(cols.created[tickets], updated[tickets], status[tickets], a, b, c)
        for ticket, key, m, s in zip(tickets.tolist(), keys.tolist(), message.tolist(), closed_at.tolist(), strict=True):
            rows.append({"id": stable_uuid(ds.seed, "side_conversation", key), "ticket": ticket, "message_added_at": m,
                         "state_updated_at": s})
    for n, (ticket, ts) in enumerate(changes(ds).created):
        if not cols.deleted[ticket]:
            rows.append(_created(ds, n, ticket, ts))
    touched = changes(ds).touched
    return [{"id": r["id"], "ticket_id": r["ticket"] + 1, "updated_at": iso(updated_of({**r, **touched.get(r["id"], {})}))}
            for r in rows]


def _touch_ticket(ds: Dataset, ticket: int, ts: int) -> None:
    """The ticket's generated_timestamp moves to the thread's change (derived records keep hanging on the originals)."""
    ds.tickets.keep_base(ticket)
    generated = ds.tickets.cols.generated
    generated[ticket] = max(int(generated[ticket]), ts)
    ds.touch("ticket", ticket)


def mutate(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    if delete:
        raise ValueError("side conversations cannot be deleted (Zendesk has no endpoint for it): use create or update")
    ch = changes(ds)
    live = ds.listable_tickets()
    created = []
    for _ in range(create):
        ticket = int(live[int(rng.random() * len(live))])
        ch.created.append((ticket, ts))
        _touch_ticket(ds, ticket, ts)
        created.append(stable_uuid(ds.seed, "side_conversation_created", len(ch.created) - 1))
    with_threads = [int(t) for t in np.flatnonzero(counts(ds) > 0) if not ds.tickets.cols.deleted[t]]
    with_threads += [t for t, _ in ch.created[: len(ch.created) - create]]
    updated = []
    for ticket in rng.sample(sorted(set(with_threads)), min(update, len(set(with_threads)))):
        thread = rng.choice(threads_of(ds, ticket))
        change = ch.touched.setdefault(thread["id"], {})
        if thread["closed"] or rng.random() < 0.6:  # a reply, which reopens a closed thread
            change.update(message_added_at=ts, replies=thread["replies"] + 1)
            if thread["closed"]:
                change.update(closed=False, state_updated_at=ts)
        else:
            change.update(closed=True, state_updated_at=ts)
        updated.append(thread["id"])
        _touch_ticket(ds, ticket, ts)
    return {"created": created, "updated": updated, "deleted": []}
