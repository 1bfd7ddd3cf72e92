"""A tiny stand-in for ZendeskAccount with the same contract (CONTRACT.md), for the transport's tests.

Routes: users/me, tickets (offset), tickets/{id}/metrics, the cursor ticket export (1,000 per page by default)
and `echo` (POST /api/v2/echo.json returns what the transport handed over). `boom` raises, to check that an
account error becomes a 500 and the server keeps serving.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass

from zendesk_emulator.clock import Clock
from zendesk_emulator.types import ApiRequest, ApiResponse

EXPORT_PREFIX = "/api/v2/incremental/"


@dataclass
class Sizes:
    tickets: int = 50
    users: int = 5


class FakeAccount:
    def __init__(self, seed: int = 1, sizes: Sizes | None = None, clock: Clock | None = None, subdomain: str = "acme"):
        self.seed = seed
        self.sizes = sizes or Sizes()
        self.clock = clock or Clock()
        self.subdomain = subdomain
        self.admin_user_id = 360000000 + seed
        self.admin_email = f"owner-{seed}@{subdomain}.example.com"
        self._lock = threading.RLock()
        base = int(self.clock.now()) - 86400
        self._tickets = {i: self._ticket(i, base + i) for i in range(1, self.sizes.tickets + 1)}
        self._next_id = self.sizes.tickets + 1
        self._routes = [
            ("GET", re.compile(r"/api/v2/users/me\.json"), "users/me", self._me),
            ("GET", re.compile(r"/api/v2/tickets\.json"), "tickets", self._list),
            ("GET", re.compile(r"/api/v2/tickets/(\d+)/metrics\.json"), "tickets/{id}/metrics", self._metrics),
            ("GET", re.compile(r"/api/v2/incremental/tickets/cursor\.json"), "incremental/tickets/cursor", self._export),
            ("POST", re.compile(r"/api/v2/echo\.json"), "echo", self._echo),
            ("GET", re.compile(r"/api/v2/boom\.json"), "boom", self._boom),
        ]

    def _ticket(self, ticket_id: int, stamp: int) -> dict:
        return {
            "id": ticket_id,
            "subject": f"Ticket {ticket_id} from seed {self.seed}",
            "description": "Printer on fire. " * 20,
            "status": "open",
            "tags": ["printer", "fire"],
            "custom_fields": [{"id": 1000 + k, "value": f"v{k}"} for k in range(8)],
            "updated_at": stamp,
            "generated_timestamp": stamp,
        }

    def _match(self, method: str, path: str):
        for route_method, pattern, name, handler in self._routes:
            found = pattern.fullmatch(path)
            if found and route_method == method:
                return name, handler, found
        return None

    def route_name(self, method: str, path: str) -> str | None:
        matched = self._match(method, path)
        return matched[0] if matched else None

    def is_incremental_export(self, path: str) -> bool:
        return path.startswith(EXPORT_PREFIX)

    def handle(self, req: ApiRequest) -> ApiResponse | None:
        matched = self._match(req.method, req.path)
        if matched is None:
            return None
        return matched[1](req, matched[2])

    def _me(self, req: ApiRequest, found) -> ApiResponse:
        return _json({"user": {"id": req.user_id, "email": self.admin_email, "role": "admin"}})

    def _list(self, req: ApiRequest, found) -> ApiResponse:
        per_page = int(req.arg("per_page", "100"))
        page = int(req.arg("page", "1"))
        with self._lock:
            ids = sorted(self._tickets)
            chunk = [self._tickets[i] for i in ids[(page - 1) * per_page : page * per_page]]
        more = page * per_page < len(ids)
        next_page = f"{req.base_url}/api/v2/tickets.json?page={page + 1}&per_page={per_page}" if more else None
        return _json({"tickets": chunk, "next_page": next_page, "count": len(ids)})

    def _metrics(self, req: ApiRequest, found) -> ApiResponse:
        ticket_id = int(found.group(1))
        with self._lock:
            if ticket_id not in self._tickets:
                return ApiResponse(404, b'{"error":"RecordNotFound","description":"Not found"}')
        return _json({"ticket_metric": {"ticket_id": ticket_id, "reopens": 0}})

    def _export(self, req: ApiRequest, found) -> ApiResponse:
        per_page = min(1000, int(req.arg("per_page", "1000")))
        offset = int(req.arg("cursor", "0"))
        with self._lock:
            ids = sorted(self._tickets)
            chunk = [self._tickets[i] for i in ids[offset : offset + per_page]]
        after = offset + len(chunk)
        end = after >= len(ids)
        return _json({
            "tickets": chunk,
            "after_cursor": str(after),
            "after_url": f"{req.base_url}/api/v2/incremental/tickets/cursor.json?cursor={after}&per_page={per_page}",
            "end_of_stream": end,
        })

    def _echo(self, req: ApiRequest, found) -> ApiResponse:
        return _json({
            "method": req.method,
            "path": req.path,
            "query": req.query,
            "base_url": req.base_url,
            "user_id": req.user_id,
            "content_type": req.headers.get("Content-Type"),
            "body": req.body.decode(),
        })

    def _boom(self, req: ApiRequest, found) -> ApiResponse:
        raise RuntimeError("the account broke")

    def truth(self, resource: str) -> list[dict]:
        if resource != "tickets":
            raise KeyError(resource)
        with self._lock:
            return [{"id": t["id"], "updated_at": t["updated_at"]} for t in sorted(self._tickets.values(), key=lambda t: t["id"])]

    def mutate(self, resource: str, create: int, update: int, delete: int, deactivate: int = 0) -> dict:
        if resource != "tickets":
            raise KeyError(resource)
        if deactivate:
            raise ValueError("only custom field lists can be deactivated")
        now = int(self.clock.now())
        with self._lock:
            created = []
            for _ in range(create):
                self._tickets[self._next_id] = self._ticket(self._next_id, now)
                created.append(self._next_id)
                self._next_id += 1
            updated = sorted(self._tickets)[:update]
            for ticket_id in updated:
                self._tickets[ticket_id]["updated_at"] = now
            deleted = [i for i in sorted(self._tickets) if i not in updated][-delete:] if delete else []
            for ticket_id in deleted:
                del self._tickets[ticket_id]
        return {"resource": resource, "created": created, "updated": updated, "deleted": deleted}

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {"tickets": len(self._tickets), "users": self.sizes.users}


def _json(payload: dict) -> ApiResponse:
    return ApiResponse(200, json.dumps(payload).encode())


# What `python -m zendesk_emulator --account zendesk_emulator.tests.fake_account:ZendeskAccount` loads.
ZendeskAccount = FakeAccount
