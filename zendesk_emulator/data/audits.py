"""Ticket audits in Zendesk's event shapes, generated one audit at a time from (seed, audit row).

A ticket's audit rows are `offsets[i]..offsets[i+1]` with times from `columns.audit_times`: the Create audit at
creation, the last one at the ticket's last update. Each audit follows the account's plan (`history.py`: the status
after each audit, who wrote it, whether its comment is public), which ends in the ticket's base values, so replaying
the events rebuilds the ticket, and the metrics (`metrics.py`) read the same plan. A ticket created with a schedule
other than the default (a trigger's "Set schedule", `catalog_rules.schedule_index`) has a `schedule_id` Create event
with the trigger's via. Audits added by mutations are stored whole in `extra`. Audit id = AUDIT + row + 1; event ids
= EVENT + row * 32 + position.
"""

from __future__ import annotations

import numpy as np

from . import catalog_rules, ids
from .columns import CHANNELS, PRIORITIES, SOLVED, STATUSES, TYPES
from .history import Plan, plan
from .order import pack
from .rng import KIND_AUDIT, record_rng
from .textpool import TextPool, html_of
from .tickets import Tickets
from .timefmt import iso

_CLIENTS = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Zendesk for iPhone 6.12.0", "Zendesk API client (python-requests/2.31.0)")
_PLACES = (("Dublin, D, Ireland", 53.3331, -6.2489), ("San Francisco, CA, United States", 37.7749, -122.4194),
           ("Copenhagen, 84, Denmark", 55.6761, 12.5683), ("Sao Paulo, SP, Brazil", -23.5505, -46.6333),
           ("Singapore, 01, Singapore", 1.2897, 103.8501), ("Melbourne, VIC, Australia", -37.8136, 144.9631))
_AUTOMATION = {"channel": "rule", "source": {"to": {}, "from": {"id": 360000000101, "title": "Close ticket 4 days after status is set to solved", "deleted": False}, "rel": "automation"}}
_TRIGGER = {"channel": "rule", "source": {"to": {}, "from": {"id": 360000000201, "title": "Notify requester of comment update", "deleted": False}, "rel": "trigger"}}
_WEB = {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}}


class Audits:
    def __init__(self, seed: int, tickets: Tickets, times: np.ndarray, text: TextPool, subdomain: str):
        self.seed, self.tickets, self.text, self.subdomain = seed, tickets, text, subdomain
        self.base = f"https://{subdomain}.zendesk.com/api/v2"
        self.times = times
        self.offsets = tickets.cols.audit_offsets
        self.base_rows = len(times)
        self.owner = np.repeat(np.arange(len(self.offsets) - 1, dtype=np.int32), np.diff(self.offsets))
        self._times = times.data
        self._owner = self.owner.data
        self.extra: list[dict] = []  # audits added by mutations, row = base_rows + position
        self.extra_by_ticket: dict[int, list[int]] = {}
        self._base_keys: np.ndarray | None = None
        self.base_tickets = len(self.offsets) - 1
        self._plan: Plan | None = None

    # -- rows ------------------------------------------------------------------------------------------------------
    def rows_of(self, index: int) -> list[int]:
        rows = list(range(self.offsets[index], self.offsets[index + 1])) if index < len(self.offsets) - 1 else []
        return rows + self.extra_by_ticket.get(index, [])

    def ticket_of(self, row: int) -> int:
        return self._owner[row] if row < self.base_rows else self.extra[row - self.base_rows]["ticket_id"] - 1

    def time_of(self, row: int) -> int:
        return self._times[row] if row < self.base_rows else self.extra[row - self.base_rows]["_ts"]

    def time_keys(self) -> np.ndarray:
        """Every audit row as `created_at << 32 | row`, ascending. Base rows never change, so they are sorted once and
        the few rows mutations added are merged in."""
        if self._base_keys is None:
            self._base_keys = np.sort(pack(self.times, np.arange(self.base_rows)), kind="stable")  # long sorted runs
        if not self.extra:
            return self._base_keys
        extra = np.sort(np.array([(a["_ts"] << 32) | (self.base_rows + i) for i, a in enumerate(self.extra)], dtype=np.uint64))
        return np.insert(self._base_keys, np.searchsorted(self._base_keys, extra), extra)

    def plan(self) -> Plan:
        """The generated audits' plan (history.py), from the tickets' base statuses; built on first use."""
        if self._plan is None:
            n = self.base_tickets
            status = self.tickets.cols.status[:n].copy()
            for index, extra in self.tickets.overrides.items():
                if "_base" in extra and index < n:
                    status[index] = extra["_base"]["status"]
            self._plan = plan(self.seed, status, self.offsets[: n + 1])
        return self._plan

    def closing_rows(self) -> np.ndarray:
        """Base rows of the automation's closing audit, the last audit of a closed ticket: the only base audits without
        a comment (see `_generate`)."""
        return np.flatnonzero(self.plan().automated)

    def audit(self, row: int) -> dict:
        if row >= self.base_rows:
            return {k: v for k, v in self.extra[row - self.base_rows].items() if k[0] != "_"}
        return self._generate(row)

    def add(self, index: int, ts: int, author_id: int, events: list[dict], via: dict | None = None) -> dict:
        """Record an audit made by a mutation; event ids are assigned here."""
        row = self.base_rows + len(self.extra)
        aid = ids.AUDIT + row + 1
        for position, event in enumerate(events):
            event["id"] = ids.EVENT + row * ids.EVENTS_PER_AUDIT + position
            if event["type"] == "Comment":
                event["audit_id"] = aid
        audit = {"id": aid, "ticket_id": index + 1, "created_at": iso(ts), "author_id": author_id,
                 "metadata": {"system": self._system(record_rng(self.seed, KIND_AUDIT, row)), "custom": {}},
                 "via": via or _WEB, "events": events, "_ts": ts}
        self.extra.append(audit)
        self.extra_by_ticket.setdefault(index, []).append(row)
        return audit

    # -- generation ------------------------------------------------------------------------------------------------
    def _system(self, rng) -> dict:
        place, lat, lon = _PLACES[int(rng.random() * len(_PLACES))]
        return {"client": _CLIENTS[int(rng.random() * len(_CLIENTS))], "ip_address": f"203.0.113.{1 + int(rng.random() * 250)}",
                "location": place, "latitude": lat, "longitude": lon}

    def _comment(self, row: int, position: int, author: int, body: str, public: bool, rng) -> dict:
        eid = ids.EVENT + row * ids.EVENTS_PER_AUDIT + position
        attachments = []
        if rng.random() < 0.08:
            aid = ids.ATTACHMENT + 500_000_000 + (eid - ids.EVENT) * 2
            name = ("screenshot.png", "invoice.pdf", "error-log.txt")[int(rng.random() * 3)]
            kind = {"png": "image/png", "pdf": "application/pdf", "txt": "text/plain"}[name.rsplit(".", 1)[1]]
            url = f"https://{self.subdomain}.zendesk.com/attachments/token/tok{aid}/?name={name}"
            attachments.append({"url": f"{self.base}/attachments/{aid}.json", "id": aid, "file_name": name, "content_url": url,
                                "mapped_content_url": url, "content_type": kind, "size": 1000 + int(rng.random() * 900_000),
                                "width": 1280 if kind == "image/png" else None, "height": 720 if kind == "image/png" else None,
                                "inline": False, "deleted": False, "malware_access_override": False,
                                "malware_scan_result": "malware_not_found", "thumbnails": []})
        return {"id": eid, "type": "Comment", "author_id": author, "body": body, "html_body": html_of(body),
                "plain_body": body, "public": public, "attachments": attachments, "audit_id": ids.AUDIT + row + 1}

    def _generate(self, row: int) -> dict:
        index = self._owner[row]
        t = self.tickets
        p = self.plan()
        first = int(self.offsets[index])
        rank, k = row - first, int(self.offsets[index + 1]) - first
        status = STATUSES[p.status[row]]
        final = int(p.status[first + k - 1])
        human = k - bool(p.automated[first + k - 1])
        rng = record_rng(self.seed, KIND_AUDIT, row)
        requester = ids.USER + t.base_value(index, "requester") + 1
        assignee_index = t.base_value(index, "assignee")
        agent = ids.USER + (assignee_index if assignee_index >= 0 else int(rng.random() * t.users.cols.agents)) + 1
        events: list[dict] = []

        def event(kind: str, **fields) -> None:
            events.append({"id": ids.EVENT + row * ids.EVENTS_PER_AUDIT + len(events), "type": kind, **fields})

        if rank == 0:
            ticket = t.record(index, base=True, history=True)  # a field deleted later was set all the same
            author, via = requester, ticket["via"]
            events.append(self._comment(row, 0, requester, ticket["description"], True, rng))
            tags = ticket["tags"]
            for name, value in (("subject", ticket["subject"]), ("requester_id", str(requester)),
                                ("status", status), ("priority", PRIORITIES[t.base_value(index, "priority")]),
                                ("type", TYPES[t.base_value(index, "type")]), ("group_id", ticket["group_id"]),
                                ("assignee_id", ticket["assignee_id"] if k == 1 else None),
                                ("tags", tags[:-1] if len(tags) > 1 and k > 1 else tags)):
                if value is not None:
                    event("Create", field_name=name, value=str(value) if name.endswith("_id") else value)
            for item in ticket["custom_fields"]:
                if item["value"] is not None:
                    event("Create", field_name=str(item["id"]), value=item["value"])
            schedule = int(catalog_rules.schedule_index(t.base_value(index, "brand"), t.base_value(index, "form")))
            if schedule:
                event("Create", field_name="schedule_id", value=str(ids.SCHEDULE + schedule + 1),
                      via=catalog_rules.schedule_via(schedule))
            event("Notification", via=_TRIGGER, subject="[{{ticket.account}}] {{ticket.title}}",
                  body="A ticket (#{{ticket.id}}) has been received. It is unassigned.", recipients=[agent])
        elif p.automated[row]:
            author, via = -1, _AUTOMATION
            event("Change", field_name="status", value="closed", previous_value=STATUSES[p.status[row - 1]])
        else:
            agent_turn = bool(p.agent[row])
            author = agent if agent_turn else requester
            via = _WEB if agent_turn else {"channel": CHANNELS[t.base_value(index, "channel")], "source": {"from": {}, "to": {}, "rel": None}}
            public = bool(p.public[row])
            events.append(self._comment(row, 0, author, self.text.body(rng, 1, 3), public, rng))
            previous = STATUSES[p.status[row - 1]]
            if status != previous:
                event("Change", field_name="status", value=status, previous_value=previous)
            if rank == 1:
                if assignee_index >= 0:
                    event("Change", field_name="assignee_id", value=str(agent), previous_value=None)
                tags = t.base_tags(index)  # the base ticket's tags, without materialising the whole ticket
                if len(tags) > 1:
                    event("Change", field_name="tags", value=tags, previous_value=tags[:-1])
            if agent_turn and rng.random() < 0.1:
                macro = t.catalog.macros[int(rng.random() * len(t.catalog.macros))] if t.catalog.macros else None
                if macro:
                    event("AgentMacroReference", via=_WEB, macro_id=str(macro["id"]), macro_title=macro["title"], macro_deleted=False)
            if agent_turn and public:
                event("Notification", via=_TRIGGER, subject="[{{ticket.account}}] Re: {{ticket.title}}",
                      body="Your request (#{{ticket.id}}) has been updated.", recipients=[requester])
            if rank == human - 1 and final >= SOLVED:
                rating = t.rating(index)
                if rating and rating["score"] in ("good", "bad"):
                    event("SatisfactionRating", score=rating["score"], assignee_id=agent, body=rating["comment"])
        return {
            "id": ids.AUDIT + row + 1,
            "ticket_id": index + 1,
            "created_at": iso(self._times[row]),
            "author_id": author,
            "metadata": {"system": {} if author == -1 else self._system(rng), "custom": {}},
            "via": via,
            "events": events,
        }

    def comments(self, index: int) -> list[dict]:
        """A ticket's comments, oldest first, as tickets/{id}/comments.json lists them."""
        out = []
        for row in self.rows_of(index):
            audit = self.audit(row)
            for event in audit["events"]:
                if event["type"] == "Comment":
                    comment = dict(event)
                    comment["via"] = audit["via"]
                    comment["created_at"] = audit["created_at"]
                    comment["metadata"] = audit["metadata"]
                    out.append(comment)
        return out
