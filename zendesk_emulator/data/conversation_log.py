"""Conversation logs of messaging tickets: what the end user, the bot and the agent wrote in a messaging
conversation (`tickets/{id}/conversation_log`), which the ticket event export does not hold.

The tickets whose channel is `native_messaging` (about 2% of them, columns.CHANNELS) are messaging tickets; every
other ticket's log is empty. A messaging ticket's log holds 2 to 5 messages between its creation and its last update
as generated: the requester's first message when the ticket was created, then (every other ticket) the bot's
greeting, then the assignee and the requester in turn (the bot stands in for the agent of an unassigned ticket).
Ids are ULIDs fixed by (seed, ticket, n). Mutations: `create` adds a requester's message to a live messaging ticket
now, which moves the ticket's `generated_timestamp` (the ticket export's cursor), as Zendesk records a message on its
ticket; messages are never changed or deleted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from . import ids
from .columns import CHANNELS
from .dataset import Dataset
from .derive import base_column, state, unit1
from .timefmt import iso

MESSAGING = CHANNELS.index("native_messaging")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TEXTS = {
    "user": ("Hi, my order has not arrived yet.", "It is order 4711.", "Thanks, that helps!", "Still nothing, sorry."),
    "agent": ("Hello! Let me check that for you.", "I have found your order.", "It ships today.", "Anything else?"),
    "bot": ("Thanks for reaching out. An agent will be with you shortly.",),
}


@dataclass
class Changes:
    created: list[tuple[int, int]] = field(default_factory=list)  # (ticket index, ts) of each message added


def changes(ds: Dataset) -> Changes:
    return state(ds, "conversation_log", Changes)


def messaging_tickets(ds: Dataset) -> np.ndarray:
    """Indexes of the tickets that are not deleted and came through messaging."""
    cols = ds.tickets.cols
    return np.flatnonzero((cols.channel == MESSAGING) & (cols.deleted == 0))


def _ulid(ds: Dataset, ticket: int, n: int, at: int) -> str:
    value = (at * 1000) << 80 | random.Random(f"{ds.seed}:conversation_log:{ticket}:{n}").getrandbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def _author(ds: Dataset, ticket: int, kind: str) -> dict:
    if kind == "bot":
        return {"type": "bot", "zen:support:user_id": None, "zen:sunco:user_id": None, "display_name": "Answer Bot",
                "avatar_url": None}
    user = int(ds.tickets.cols.requester[ticket] if kind == "user" else ds.tickets.cols.assignee[ticket])
    sunco = f"{random.Random(f'{ds.seed}:sunco:{user}').getrandbits(96):024x}" if kind == "user" else None
    return {"type": kind, "zen:support:user_id": ids.USER + user + 1, "zen:sunco:user_id": sunco,
            "display_name": ds.users.name(user), "avatar_url": None}


def _plan(ds: Dataset, ticket: int) -> list[tuple[str, int]]:
    """(author kind, time) of the ticket's generated messages, oldest first."""
    created = int(ds.tickets.cols.created[ticket])
    updated = int(base_column(ds, "updated")[ticket])
    count = 2 + int(unit1(ds.seed, 131, ticket) * 4)
    assigned = int(ds.tickets.cols.assignee[ticket]) >= 0
    kinds = ["user"] + (["bot"] if unit1(ds.seed, 132, ticket) < 0.5 else [])
    replier = "agent" if assigned else "bot"
    while len(kinds) < count:
        kinds.append(replier if kinds[-1] == "user" else "user")
    span = max(updated - created, 0)
    return [(kind, created + span * n // count) for n, kind in enumerate(kinds)]


def entries(ds: Dataset, ticket: int) -> list[dict]:
    """The ticket's log as Zendesk serves it, oldest first (empty for a ticket that is not a messaging one)."""
    cols = ds.tickets.cols
    if cols.channel[ticket] != MESSAGING:
        return []
    plan = _plan(ds, ticket) + [("user", ts) for t, ts in changes(ds).created if t == ticket]
    out = []
    for n, (kind, at) in enumerate(plan):
        texts = TEXTS[kind]
        entry_id = _ulid(ds, ticket, n, at)
        out.append({"id": entry_id, "type": "Messaging::ConversationMessage",
                    "reference": f"zen:messaging:message:{entry_id}", "created_at": iso(at), "attachments": [],
                    "author": _author(ds, ticket, kind), "content": {"type": "text", "text": texts[n % len(texts)]},
                    "metadata": {"channel": "native_messaging"}})
    return out


def truth_rows(ds: Dataset) -> list[dict]:
    """(id, ticket_id, created_at) of every entry of every messaging ticket that is not deleted."""
    return [{"id": e["id"], "ticket_id": t + 1, "created_at": e["created_at"]}
            for t in messaging_tickets(ds).tolist() for e in entries(ds, t)]


def mutate(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    if update or delete:
        raise ValueError("conversation log entries are append-only: use create (a new message)")
    live = messaging_tickets(ds)
    if create and not len(live):
        raise ValueError("the account has no messaging tickets")
    added = []
    for _ in range(create):
        ticket = int(live[int(rng.random() * len(live))])
        changes(ds).created.append((ticket, ts))
        ds.tickets.keep_base(ticket)
        generated = ds.tickets.cols.generated
        generated[ticket] = max(int(generated[ticket]), ts)
        ds.touch("ticket", ticket)
        added.append(entries(ds, ticket)[-1]["id"])
    return {"created": added, "updated": [], "deleted": []}
