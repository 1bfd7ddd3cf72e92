"""What happens to one request once the socket layer has read it: the order of Zendesk's gates, then the account.

Order, as a request meets them at Zendesk: control routes (never faulted, never counted) -> unknown subdomain 404
-> OAuth token endpoint -> authentication 401 -> account-wide and export rate limits 429 -> plan 403 -> Help Center
or community not enabled 404 -> injected fault -> the account's handler. Socket-level faults (resets, truncation, slowness) are only decided here; server.py
puts them on the wire.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

from zendesk_emulator import control
from zendesk_emulator.auth import Authenticator, Credentials
from zendesk_emulator.clock import Clock
from zendesk_emulator.faults import WIRE_KINDS, FaultPlanner, asked_page_size, status_fault
from zendesk_emulator.ratelimit import RateLimiter
from zendesk_emulator.resources.registry import GATES
from zendesk_emulator.settings import Settings
from zendesk_emulator.types import ApiRequest, ApiResponse, Headers

JSON_TYPE = "application/json; charset=utf-8"
ZENDESK_DOMAIN = "zendesk.com"

_NOT_FOUND = json.dumps({"error": "InvalidEndpoint", "description": "Not found"}).encode()
_FORBIDDEN = json.dumps({
    "error": {
        "title": "Forbidden",
        "message": "You do not have access to this page. Please contact the account owner of this help desk for further help.",
    }
}).encode()
_INTERNAL = json.dumps({"error": "InternalError", "description": "Something went wrong. Please try again later."}).encode()


class Account(Protocol):
    """What the transport needs from ZendeskAccount (CONTRACT.md)."""

    subdomain: str
    admin_user_id: int
    admin_email: str

    def handle(self, req: ApiRequest) -> ApiResponse | None: ...
    def route_name(self, method: str, path: str) -> str | None: ...
    def is_incremental_export(self, path: str) -> bool: ...
    def truth(self, resource: str) -> list[dict]: ...
    def mutate(self, resource: str, create: int, update: int, delete: int) -> dict: ...
    def counts(self) -> dict[str, int]: ...


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]
    wire: str | None = None  # a socket-level fault for server.py to perform (faults.WIRE_KINDS)
    fault: str | None = None  # the injected fault kind, of any sort (counted in stats.by_fault)
    route: str | None = None  # the API route the request matched (counted in stats.by_route)


def no_help_desk(host: str) -> ApiResponse:
    body = {
        "error": {
            "title": f"No help desk at {host}",
            "message": "There is no help desk configured at this address. This means that the address is available "
            "and that you can claim it at http://www.zendesk.com/signup",
        }
    }
    return ApiResponse(404, json.dumps(body).encode())


def hostname_of(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_zendesk_host(hostname: str) -> bool:
    return hostname == ZENDESK_DOMAIN or hostname.endswith("." + ZENDESK_DOMAIN)


@dataclass
class Stats:
    _lock: threading.Lock = field(default_factory=threading.Lock)
    total: int = 0
    by_endpoint: Counter = field(default_factory=Counter)
    by_route: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    by_fault: Counter = field(default_factory=Counter)

    def record(self, method: str, path: str, status: int, fault: str | None, route: str | None = None) -> None:
        with self._lock:
            self.total += 1
            self.by_endpoint[f"{method} {path}"] += 1
            # One count per route ("GET tickets/{id}/side_conversations"), so requests made once per record add up
            # under one name instead of one path per record.
            self.by_route[f"{method} {route or path}"] += 1
            self.by_status[str(status)] += 1
            if fault:
                self.by_fault[fault] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests_total": self.total,
                "by_endpoint": dict(self.by_endpoint),
                "by_route": dict(self.by_route),
                "by_status": dict(self.by_status),
                "by_fault": dict(self.by_fault),
            }

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_endpoint.clear()
            self.by_route.clear()
            self.by_status.clear()
            self.by_fault.clear()


class Emulator:
    def __init__(self, account: Account, clock: Clock, seed: int, settings: Settings | None = None):
        self.account = account
        self.clock = clock
        self.seed = seed
        self.credentials = Credentials.derive(seed, account.admin_email)
        self.auth = Authenticator(self.credentials, account.admin_user_id, clock, seed)
        self.limiter = RateLimiter(clock)
        self.faults = FaultPlanner(seed)
        self.stats = Stats()
        self.stopping = threading.Event()  # set on shutdown: wakes "slow" faults
        self.info: dict[str, Any] = {}  # filled by the CLI once listening
        self._settings_lock = threading.Lock()
        self._settings = Settings()
        self._apply(settings or Settings(time_scale=clock.time_scale))

    @property
    def settings(self) -> Settings:
        return self._settings

    def update_settings(self, patch: Any) -> Settings:
        """Validate and apply a partial update (raises settings.SettingsError)."""
        with self._settings_lock:
            new = self._settings.updated(patch)
            self._apply(new, sequences_changed=isinstance(patch, dict) and "fault_sequence" in patch)
            return new

    def _apply(self, new: Settings, sequences_changed: bool = True) -> None:
        if new.time_scale != self.clock.time_scale:
            self.clock.set_scale(new.time_scale)
        self.auth.access_ttl = new.oauth_access_ttl
        if sequences_changed:
            self.faults.load_sequences(new.fault_sequence)
        self._settings = new

    def dispatch(self, method: str, target: str, host: str, scheme: str, headers: Headers, body: bytes) -> Reply:
        path, _, query = target.partition("?")
        if path == "/_emulator" or path.startswith("/_emulator/"):
            response = control.handle(self, method, path[len("/_emulator/") :], query, body)
            return Reply(response.status, response.body, _with_type(response.headers))
        reply = self._api(method, path, query, host, scheme, headers, body)
        # Refused before routing (401, 429): named here, so every request of a route counts under its name.
        route = reply.route or self.account.route_name(method, path)
        self.stats.record(method, path, reply.status, reply.fault, route)
        return reply

    def _api(self, method, path, query, host, scheme, headers, body) -> Reply:
        hostname = hostname_of(host)
        if is_zendesk_host(hostname) and hostname != f"{self.account.subdomain}.{ZENDESK_DOMAIN}":
            return _reply(no_help_desk(hostname))
        if path == "/oauth/tokens" and method == "POST":
            return _reply(self.auth.token_endpoint(body, headers.get("Content-Type") or "", headers.get("Authorization")))
        settings = self._settings
        account_limit, export_limit = settings.limits
        is_export = self.account.is_incremental_export(path)
        user = self.auth.authenticate(headers.get("Authorization"))
        if isinstance(user, ApiResponse):
            decision = self.limiter.check(account_limit, export_limit, is_export, consume=False)
            return _reply(user, decision.headers)
        decision = self.limiter.check(account_limit, export_limit, is_export)
        if not decision.allowed:
            return _reply(decision.too_many_requests())
        route = self.account.route_name(method, path)
        feature, guide = GATES.get(route, (None, None)) if route is not None else (None, None)
        if route is not None and settings.denies(route, feature):  # forbidden by name, or a feature the plan lacks
            reply = _reply(ApiResponse(403, _FORBIDDEN), decision.headers)
            reply.route = route
            return reply
        if route is not None and settings.turned_off(guide):  # Help Center or community not enabled
            reply = _reply(ApiResponse(404, _NOT_FOUND), decision.headers)
            reply.route = route
            return reply
        kind = self.faults.pick(route, settings) if route is not None else None
        args = parse_qs(query, keep_blank_values=True)
        if kind is None and is_export and route is not None and self.faults.times_out(route, asked_page_size(args), settings):
            kind = "504"  # the page asked for is larger than the export builds in time (settings.page_timeouts)
        if kind is not None and kind not in WIRE_KINDS:
            reply = _reply(status_fault(kind, is_export, decision.headers, settings.fault_retry_after), decision.headers)
            reply.fault, reply.route = kind, route
            return reply
        request = ApiRequest(
            method=method,
            path=path,
            query=args,
            base_url=f"{scheme}://{host}",
            user_id=user,
            headers=headers,
            body=body,
        )
        try:
            response = self.account.handle(request)
        except Exception:  # the account is another team's code: answer like Zendesk's 500 and keep serving
            traceback.print_exc(file=sys.stderr)
            response = ApiResponse(500, _INTERNAL)
        if response is None:
            response = ApiResponse(404, _NOT_FOUND)
        reply = _reply(response, decision.headers, wire=kind)
        reply.fault, reply.route = kind, route
        return reply


def _with_type(headers: dict[str, str]) -> dict[str, str]:
    if not any(name.lower() == "content-type" for name in headers):
        headers = dict(headers, **{"Content-Type": JSON_TYPE})
    return headers


def _reply(response: ApiResponse, extra: dict[str, str] | None = None, wire: str | None = None) -> Reply:
    headers = dict(extra or {})
    headers.update(response.headers)
    return Reply(response.status, response.body, _with_type(headers), wire)
