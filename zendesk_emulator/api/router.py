"""Which handler answers a request: paths under /api/v2/, `.json` optional (Zendesk accepts both), GET only.

Each route has a stable name (used by the transport for per-endpoint faults, plan rules and stats).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .. import types
from ..data.dataset import Dataset
from . import account_routes, exports, items, lists, search
from .http import BadParameter, ok

PREFIX = "/api/v2/"


@dataclass
class Call:
    ds: Dataset
    req: types.ApiRequest
    now: float
    args: tuple[str, ...]

    @property
    def id(self) -> int:
        return int(self.args[0])


Handler = Callable[[Call], types.ApiResponse]


def _catalog(key: str, attr: str, path: str) -> Handler:
    return lambda c: lists.by_id(c.req, key, path, getattr(c.ds.catalog, attr))


ROUTES: list[tuple[str, str, Handler]] = [
    ("account/settings", r"account/settings", lambda c: account_routes.settings(c.ds)),
    ("users/me", r"users/me", lambda c: account_routes.me(c.ds, c.req.user_id)),
    ("incremental/tickets/cursor", r"incremental/tickets/cursor", lambda c: exports.cursor_export(c.ds, c.req, "tickets", c.now)),
    ("incremental/users/cursor", r"incremental/users/cursor", lambda c: exports.cursor_export(c.ds, c.req, "users", c.now)),
    ("incremental/tickets", r"incremental/tickets", lambda c: exports.time_export(c.ds, c.req, "tickets", c.now)),
    ("incremental/users", r"incremental/users", lambda c: exports.time_export(c.ds, c.req, "users", c.now)),
    ("incremental/organizations", r"incremental/organizations", lambda c: exports.time_export(c.ds, c.req, "organizations", c.now)),
    ("incremental/sample", r"incremental/(tickets|users|organizations)/sample",
     lambda c: exports.time_export(c.ds, c.req, c.args[0], c.now, sample=True)),
    ("incremental/ticket_metric_events", r"incremental/ticket_metric_events", lambda c: exports.metric_events(c.ds, c.req, c.now)),
    ("tickets", r"tickets", lambda c: lists.tickets(c.ds, c.req)),
    ("tickets/count", r"tickets/count", lambda c: lists.count(c.ds, "tickets", c.now)),
    ("tickets/{id}", r"tickets/(\d+)", lambda c: items.ticket(c.ds, c.id)),
    ("tickets/{id}/audits", r"tickets/(\d+)/audits", lambda c: items.ticket_audits(c.ds, c.req, c.id)),
    ("tickets/{id}/metrics", r"tickets/(\d+)/metrics", lambda c: items.ticket_metrics(c.ds, c.id)),
    ("tickets/{id}/comments", r"tickets/(\d+)/comments", lambda c: items.ticket_comments(c.ds, c.req, c.id)),
    ("ticket_audits", r"ticket_audits", lambda c: lists.ticket_audits(c.ds, c.req)),
    ("ticket_metrics", r"ticket_metrics", lambda c: lists.ticket_metrics(c.ds, c.req)),
    ("ticket_metrics/{id}", r"ticket_metrics/(\d+)", lambda c: items.metric_set(c.ds, c.id)),
    ("users", r"users", lambda c: lists.users(c.ds, c.req)),
    ("users/count", r"users/count", lambda c: lists.count(c.ds, "users", c.now)),
    ("users/{id}", r"users/(\d+)", lambda c: items.user(c.ds, c.id)),
    ("organizations", r"organizations", lambda c: lists.organizations(c.ds, c.req)),
    ("organizations/count", r"organizations/count", lambda c: lists.count(c.ds, "organizations", c.now)),
    ("organizations/{id}", r"organizations/(\d+)", lambda c: items.organization(c.ds, c.id)),
    ("groups", r"groups", lambda c: lists.groups(c.ds, c.req)),
    ("groups/{id}", r"groups/(\d+)", lambda c: items.from_list("group", c.ds.catalog.groups, c.id)),
    ("group_memberships", r"group_memberships", lambda c: lists.group_memberships(c.ds, c.req)),
    ("macros", r"macros", lambda c: lists.macros(c.ds, c.req)),
    ("macros/active", r"macros/active", lambda c: lists.macros(c.ds, c.req, only_active=True)),
    ("macros/{id}", r"macros/(\d+)", lambda c: items.from_list("macro", c.ds.catalog.macros, c.id)),
    ("tags", r"tags", lambda c: lists.tags(c.ds, c.req)),
    ("ticket_fields", r"ticket_fields", lambda c: lists.ticket_fields(c.ds, c.req)),
    ("ticket_fields/{id}", r"ticket_fields/(\d+)", lambda c: items.from_list("ticket_field", c.ds.catalog.ticket_fields, c.id)),
    ("ticket_forms", r"ticket_forms", _catalog("ticket_forms", "ticket_forms", "ticket_forms")),
    ("brands", r"brands", _catalog("brands", "brands", "brands")),
    ("user_fields", r"user_fields", _catalog("user_fields", "user_fields", "user_fields")),
    ("organization_fields", r"organization_fields", _catalog("organization_fields", "organization_fields", "organization_fields")),
    ("slas/policies", r"slas/policies", lambda c: lists.unpaginated("sla_policies", c.ds.catalog.sla_policies)),
    ("satisfaction_ratings", r"satisfaction_ratings", lambda c: lists.satisfaction_ratings(c.ds, c.req, c.now)),
    ("channels/voice/phone_numbers", r"channels/voice/phone_numbers", lambda c: account_routes.empty_list("phone_numbers")),
    ("search", r"search", lambda c: search.search(c.ds, c.req)),
    ("search/count", r"search/count", lambda c: search.search(c.ds, c.req, count_only=True)),
]
_COMPILED = [(name, re.compile(pattern + r"\Z"), handler) for name, pattern, handler in ROUTES]


def normalize(path: str) -> str | None:
    """`/api/v2/tickets/12.json` -> `tickets/12`; None outside the API."""
    if not path.startswith(PREFIX):
        return None
    rest = path[len(PREFIX):].rstrip("/")
    return rest[:-5] if rest.endswith(".json") else rest


def match(method: str, path: str) -> tuple[str, Handler, tuple[str, ...]] | None:
    if method.upper() not in ("GET", "HEAD"):
        return None
    rest = normalize(path)
    if rest is None:
        return None
    for name, pattern, handler in _COMPILED:
        found = pattern.match(rest)
        if found:
            return name, handler, found.groups()
    return None


def dispatch(ds: Dataset, req: types.ApiRequest, now: float) -> types.ApiResponse | None:
    found = match(req.method, req.path)
    if found is None:
        return None
    _, handler, args = found
    try:
        return handler(Call(ds, req, now, args))
    except BadParameter as bad:
        return bad.response


__all__ = ["dispatch", "match", "normalize", "ok"]
