"""Ticket audits in Zendesk's event shapes, generated one audit at a time from (seed, audit row).

A ticket's audit rows are `offsets[i]..offsets[i+1]` with times from `columns.audit_times`: the Create audit at
creation, the last one at the ticket's last update. Each audit is derived from a per-ticket plan (status path,
authors) that ends in the ticket's base values, so replaying the events rebuilds the ticket. Audits added by
mutations are stored whole in `extra`. Audit id = AUDIT + row + 1; event ids = EVENT + row * 32 + position.
"""

from __future__ import annotations

import numpy as np

from . import ids
from .columns import CHANNELS, CLOSED, PRIORITIES, STATUSES, TYPES
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
        self._times = memoryview(times)
        self._owner = memoryview(self.owner)
        self.extra: list[dict] = []  # audits added by mutations, row = base_rows + position
        self.extra_by_ticket: dict[int, list[int]] = {}
        self._base_keys: np.ndarray | None = None

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

    def closing_rows(self) -> np.ndarray:
        """Base rows of the automation's closing audit: the last audit of a ticket closed after three or more audits.
        They are the only base audits without a comment (see `_generate`)."""
        counts = np.diff(self.offsets)[: len(self.tickets.cols.created)]
        status = self.tickets.cols.status.copy()
        for index, extra in self.tickets.overrides.items():
            if "_base" in extra:
                status[index] = extra["_base"]["status"]
        closing = np.flatnonzero((counts >= 3) & (status[: len(counts)] == CLOSED))
        return self.offsets[closing + 1] - 1

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
    def _plan(self, index: int) -> tuple[list[str], int]:
        """Status after each base audit; the last one is the ticket's base status."""
        start, stop = self.offsets[index], self.offsets[index + 1]
        k = stop - start
        final = STATUSES[self.tickets.base_value(index, "status")]
        rng = record_rng(self.seed, KIND_AUDIT + 100, index)
        path = ["new"] + [("open", "pending", "open", "hold")[int(rng.random() * 4)] for _ in range(max(0, k - 2))]
        path = (path + [final])[-k:] if k > 1 else [final]
        if final == "closed" and k >= 3:
            path[-2] = "solved"
        return path, start

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
        path, first = self._plan(index)
        rank = row - first
        k = len(path)
        rng = record_rng(self.seed, KIND_AUDIT, row)
        requester = ids.USER + t.base_value(index, "requester") + 1
        assignee_index = t.base_value(index, "assignee")
        agent = ids.USER + (assignee_index if assignee_index >= 0 else int(rng.random() * t.users.cols.agents)) + 1
        events: list[dict] = []

        def event(kind: str, **fields) -> None:
            events.append({"id": ids.EVENT + row * ids.EVENTS_PER_AUDIT + len(events), "type": kind, **fields})

        automated = rank == k - 1 and k >= 3 and path[-1] == "closed"  # closing_rows() lists these rows
        if rank == 0:
            ticket = t.record(index, base=True, history=True)  # a field deleted later was set all the same
            author, via = requester, ticket["via"]
            events.append(self._comment(row, 0, requester, ticket["description"], True, rng))
            priority = PRIORITIES[t.base_value(index, "priority")]
            escalated = priority in ("high", "urgent") and k > 1
            tags = ticket["tags"]
            for name, value in (("subject", ticket["subject"]), ("requester_id", str(requester)),
                                ("status", path[0]), ("priority", "normal" if escalated else priority),
                                ("type", TYPES[t.base_value(index, "type")]), ("group_id", ticket["group_id"]),
                                ("assignee_id", ticket["assignee_id"] if k == 1 else None),
                                ("tags", tags[:-1] if len(tags) > 1 and k > 1 else tags)):
                if value is not None:
                    event("Create", field_name=name, value=str(value) if name.endswith("_id") else value)
            for item in ticket["custom_fields"]:
                if item["value"] is not None:
                    event("Create", field_name=str(item["id"]), value=item["value"])
            event("Notification", via=_TRIGGER, subject="[{{ticket.account}}] {{ticket.title}}",
                  body="A ticket (#{{ticket.id}}) has been received. It is unassigned.", recipients=[agent])
        elif automated:
            author, via = -1, _AUTOMATION
            event("Change", field_name="status", value="closed", previous_value=path[rank - 1])
        else:
            agent_turn = rank % 2 == 1 and path[-1] != "new"
            author = agent if agent_turn else requester
            via = _WEB if agent_turn else {"channel": CHANNELS[t.base_value(index, "channel")], "source": {"from": {}, "to": {}, "rel": None}}
            public = not agent_turn or rng.random() < 0.75
            events.append(self._comment(row, 0, author, self.text.body(rng, 1, 3), public, rng))
            if path[rank] != path[rank - 1]:
                event("Change", field_name="status", value=path[rank], previous_value=path[rank - 1])
            if rank == 1:
                if assignee_index >= 0:
                    event("Change", field_name="assignee_id", value=str(agent), previous_value=None)
                priority = PRIORITIES[t.base_value(index, "priority")]
                if priority in ("high", "urgent"):
                    event("Change", field_name="priority", value=priority, previous_value="normal")
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
            last_human = rank == k - 1 or (rank == k - 2 and k >= 3 and path[-1] == "closed")
            if last_human and path[-1] in ("solved", "closed"):
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
