"""Changes to the account while it is being synced, as Zendesk would make them: timestamps move to the clock's
now, an updated ticket gets an audit (with `previous_value`s), and its metrics and metric events follow from it
(metrics.py), a deleted ticket is exported with
status "deleted" and leaves every list, a deleted group is flagged `deleted`, a deleted user becomes inactive, a
deleted organization gets `deleted_at`. Which records change is drawn from a random stream seeded by the account
seed and a mutation counter, so a replayed sequence of mutations changes the same records.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import numpy as np

from . import ids
from .columns import CLOSED, NEW, OPEN, PENDING, SOLVED, STATUSES
from .dataset import Dataset
from .textpool import TAGS
from .timefmt import iso

if TYPE_CHECKING:
    from ..resources.declaration import Change

_NEXT_STATUS = {NEW: (OPEN,), OPEN: (PENDING, SOLVED, OPEN), PENDING: (OPEN, SOLVED), 3: (OPEN,), SOLVED: (CLOSED, OPEN),
                CLOSED: (CLOSED,)}


def _append(array: np.ndarray, values) -> np.ndarray:
    return np.concatenate([array, np.asarray(values, dtype=array.dtype).reshape((-1,) + array.shape[1:])])


class TicketWork:
    """Changes to tickets, and to the users, organizations and tags they hold, as agents and the API make them."""

    def __init__(self, ds: Dataset):
        self.ds = ds

    # -- tickets ---------------------------------------------------------------------------------------------------
    def _pick(self, rng: random.Random, candidates: np.ndarray, n: int) -> list[int]:
        n = min(n, len(candidates))
        return sorted(int(candidates[i]) for i in rng.sample(range(len(candidates)), n)) if n else []

    def _save_base(self, index: int) -> dict:
        return self.ds.tickets.keep_base(index)

    def _stamp(self, index: int, ts: int) -> None:
        cols = self.ds.tickets.cols
        cols.updated[index] = cols.generated[index] = ts
        self.ds.touch("ticket", index)
        self.ds.touch("metric", index)

    def tickets(self, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        created = [self._create_ticket(rng, ts) for _ in range(create)]
        live = self.ds.listable_tickets()
        live = live[~np.isin(live, created)]
        chosen = self._pick(rng, live, update + delete)
        rng.shuffle(chosen)
        updated, deleted = sorted(chosen[:update]), sorted(chosen[update:])
        for index in updated:
            self.update_ticket(rng, index, ts)
        cols = self.ds.tickets.cols
        for index in deleted:
            self._save_base(index)
            cols.deleted[index] = 1
            self._stamp(index, ts)
        return {"created": [i + 1 for i in created], "updated": [i + 1 for i in updated], "deleted": [i + 1 for i in deleted]}

    def _create_ticket(self, rng: random.Random, ts: int) -> int:
        ds = self.ds
        t = ds.tickets
        cols = t.cols
        users = ds.users.cols
        customers = np.flatnonzero((users.role == 0) & (users.active == 1))
        requester = int(customers[int(rng.random() * len(customers))])
        values = {"created": ts, "updated": ts, "generated": ts, "status": NEW, "deleted": 0, "archived": 0,
                  "requester": requester, "assignee": -1, "group": int(rng.random() * len(ds.catalog.groups)),
                  "priority": 1 + int(rng.random() * 4), "type": int(rng.random() * 5), "channel": int(rng.random() * 3),
                  "brand": 0, "form": 0, "score": 1, "problem": -1, "solved": 0}
        for name, value in values.items():
            setattr(cols, name, _append(getattr(cols, name), [value]))
        cols.tags = _append(cols.tags, [[1 + int(rng.random() * len(TAGS)), 0, 0]])
        cols.options = _append(cols.options, [[0] * cols.options.shape[1]])
        cols.audit_offsets = _append(cols.audit_offsets, [cols.audit_offsets[-1]])
        t.set_columns(cols)
        ds.audits.offsets = cols.audit_offsets
        index = len(cols.created) - 1
        ticket = t.record(index)
        events = [{"type": "Comment", "author_id": ticket["requester_id"], "body": ticket["description"],
                   "html_body": f"<p>{ticket['description']}</p>", "plain_body": ticket["description"], "public": True,
                   "attachments": []}]
        # One Create per property the new ticket has, ids as strings like the generated audits: replaying a ticket's
        # audits (or its ticket events) rebuilds it.
        for name in ("subject", "requester_id", "status", "priority", "type", "group_id", "tags"):
            if ticket[name] is not None:
                events.append({"type": "Create", "field_name": name, "value": str(ticket[name]) if name.endswith("_id") else ticket[name]})
        for item in ticket["custom_fields"]:
            if item["value"] is not None:
                events.append({"type": "Create", "field_name": str(item["id"]), "value": item["value"]})
        ds.audits.add(index, ts, ticket["requester_id"], events, ticket["via"])
        ds.metrics.touched(index)
        return index

    def update_ticket(self, rng: random.Random, index: int, ts: int, tags: list[str] | None = None) -> None:
        """An agent works the ticket: a reply, usually a status change, sometimes priority, assignee or tags."""
        ds = self.ds
        t = ds.tickets
        cols = t.cols
        before = t.record(index)
        extra = self._save_base(index)
        agent = ids.USER + 1 + int(rng.random() * ds.users.cols.agents)
        events: list[dict] = [{"type": "Comment", "author_id": agent, "body": ds.text.body(rng, 1, 2),
                               "public": rng.random() < 0.8, "attachments": []}]
        events[0]["plain_body"] = events[0]["body"]
        events[0]["html_body"] = "<p>" + events[0]["body"].replace("\n\n", "</p><p>") + "</p>"
        if tags is None:
            old = int(cols.status[index])
            new = rng.choice(_NEXT_STATUS[old])
            if new != old:
                cols.status[index] = new
                events.append({"type": "Change", "field_name": "status", "value": STATUSES[new], "previous_value": STATUSES[old]})
                if new == SOLVED:
                    events[0]["public"] = True  # the agent tells the requester, as the generated solves do (history.py)
            if before["assignee_id"] is None:
                extra["assignee_id"] = agent
                events.append({"type": "Change", "field_name": "assignee_id", "value": str(agent), "previous_value": None})
            if rng.random() < 0.3:
                priority = rng.choice(["low", "normal", "high", "urgent"])
                if priority != before["priority"]:
                    extra["priority"] = priority
                    events.append({"type": "Change", "field_name": "priority", "value": priority, "previous_value": before["priority"]})
            if rng.random() < 0.3:
                tags = sorted(set(before["tags"]) | {rng.choice(TAGS)})
        if tags is not None and tags != before["tags"]:
            extra["tags"] = tags
            events.append({"type": "Change", "field_name": "tags", "value": tags, "previous_value": before["tags"]})
        self._stamp(index, ts)
        ds.audits.add(index, ts, agent, events)
        ds.metrics.touched(index)  # its metrics and metric events follow the new audit

    # -- users and organizations -----------------------------------------------------------------------------------
    def people(self, resource: str, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        ds = self.ds
        store = ds.users if resource == "users" else ds.orgs
        kind, base = ("user", ids.USER) if resource == "users" else ("org", ids.ORGANIZATION)
        cols: Any = store.cols  # the users' or the organizations' columns
        created = []
        for _ in range(create):
            cols.created = _append(cols.created, [ts])
            cols.updated = _append(cols.updated, [ts])
            if resource == "users":
                orgs = len(ds.orgs)
                for name, value in (("role", 0), ("active", 1), ("org", int(rng.random() * orgs) if rng.random() < 0.6 else -1)):
                    setattr(cols, name, _append(getattr(cols, name), [value]))
            else:
                cols.deleted_at = _append(cols.deleted_at, [0])
            created.append(len(cols.created) - 1)
        if resource == "users":
            alive = np.flatnonzero(cols.active == 1)
            alive = alive[alive > 0]  # never the account owner
        else:
            alive = np.flatnonzero(cols.deleted_at == 0)
        alive = alive[~np.isin(alive, created)]
        chosen = self._pick(rng, alive, update + delete)
        rng.shuffle(chosen)
        updated, deleted = sorted(chosen[:update]), sorted(chosen[update:])
        if resource == "users":
            deleted = [i for i in deleted if cols.role[i] == 0]
        for index in updated:
            change: dict[str, Any] = {"tags": sorted({rng.choice(TAGS) for _ in range(2)})}
            if rng.random() < 0.5:
                change["notes"] = f"Updated by API at {iso(ts)}"
            store.overrides.setdefault(index, {}).update(change)
        for index in deleted:
            if resource == "users":
                cols.active[index] = 0
            else:
                cols.deleted_at[index] = ts
        for index in updated + deleted:
            cols.updated[index] = ts
            ds.touch(kind, index)
        return {"created": [base + i + 1 for i in created], "updated": [base + i + 1 for i in updated],
                "deleted": [base + i + 1 for i in deleted]}

    # -- tags ------------------------------------------------------------------------------------------------------
    def tags(self, rng: random.Random, ts: int, create: int, update: int, delete: int, serial: int) -> dict:
        """Tags live on tickets: creating or using a tag adds it to tickets, deleting removes it from them."""
        ds = self.ds
        live = ds.listable_tickets()
        created, updated, deleted = [], [], []
        for k in range(create):
            name = f"new_tag_{serial}_{k + 1}"
            for index in self._pick(rng, live, 1 + int(rng.random() * 3)):
                self.update_ticket(rng, index, ts, sorted(set(ds.tickets.tags(index)) | {name}))
            created.append(name)
        counts = ds.tag_counts()
        for name in rng.sample(sorted(counts), min(update, len(counts))):
            for index in self._pick(rng, live, 1):
                self.update_ticket(rng, index, ts, sorted(set(ds.tickets.tags(index)) | {name}))
            updated.append(name)
        ds.bump()
        # Only plain tags are removed; tags that mirror custom field values go with the field value instead.
        plain = sorted(name for name in ds.tag_counts() if name in TAGS)
        cols = ds.tickets.cols
        for name in rng.sample(plain, min(delete, len(plain))):
            code = TAGS.index(name) + 1
            mask = np.zeros(len(cols.created), dtype=bool)
            mask[live] = True
            having = set(np.flatnonzero(mask & (cols.tags == code).any(axis=1)).tolist())
            for index, extra in ds.tickets.overrides.items():
                if "tags" in extra and mask[index]:
                    having.discard(index)
                    if name in extra["tags"]:
                        having.add(index)
            for index in sorted(having):
                self.update_ticket(rng, index, ts, [x for x in ds.tickets.tags(index) if x != name])
            deleted.append(name)
        return {"created": created, "updated": updated, "deleted": deleted}


# -- the mutations the resources declare (resources/) -----------------------------------------------------------------
def tickets(c: Change) -> dict:
    return TicketWork(c.ds).tickets(c.rng, c.ts, c.create, c.update, c.delete)


def ticket_audits(c: Change) -> dict:
    if c.update or c.delete:
        raise ValueError("ticket audits are read-only: create=n adds n audits by updating n tickets")
    return TicketWork(c.ds).tickets(c.rng, c.ts, 0, c.create, 0)


def ticket_metrics(c: Change) -> dict:
    if c.create or c.delete:
        raise ValueError("ticket metrics follow their tickets: update=n updates n tickets")
    return TicketWork(c.ds).tickets(c.rng, c.ts, 0, c.update, 0)


def users(c: Change) -> dict:
    return TicketWork(c.ds).people("users", c.rng, c.ts, c.create, c.update, c.delete)


def organizations(c: Change) -> dict:
    return TicketWork(c.ds).people("organizations", c.rng, c.ts, c.create, c.update, c.delete)


def tags(c: Change) -> dict:
    return TicketWork(c.ds).tags(c.rng, c.ts, c.create, c.update, c.delete, c.serial)
