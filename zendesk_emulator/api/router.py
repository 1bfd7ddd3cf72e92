"""Which handler answers a request: paths under /api/v2/, `.json` optional (Zendesk accepts both), GET only.

Each route has a stable name (used by the transport for per-endpoint faults, plan rules and stats).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .. import types
from ..data.dataset import Dataset
from . import account_routes, catalog_routes, derived_routes, exports, guide_routes, items, lists, search
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
    ("incremental/ticket_events", r"incremental/ticket_events", lambda c: exports.ticket_events(c.ds, c.req, c.now)),
    ("incremental/ticket_events/sample", r"incremental/ticket_events/sample",
     lambda c: exports.ticket_events(c.ds, c.req, c.now, sample=True)),
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
    # Configuration lists and lists derived from the columns (catalog_routes.py, derived_routes.py).
    ("ticket_forms", r"ticket_forms", lambda c: catalog_routes.ticket_forms(c.ds, c.req)),
    ("ticket_forms/{id}", r"ticket_forms/(\d+)", lambda c: catalog_routes.one("ticket_form", c.ds.catalog.ticket_forms, c.args[0])),
    ("brands", r"brands", lambda c: catalog_routes.brands(c.ds, c.req)),
    ("brands/{id}", r"brands/(\d+)", lambda c: catalog_routes.one("brand", c.ds.catalog.brands, c.args[0])),
    ("user_fields", r"user_fields", lambda c: catalog_routes.positioned(c.ds, c.req, "user_fields")),
    ("organization_fields", r"organization_fields", lambda c: catalog_routes.positioned(c.ds, c.req, "organization_fields")),
    ("slas/policies", r"slas/policies", lambda c: lists.unpaginated("sla_policies", catalog_routes.live(c.ds.catalog.sla_policies))),
    ("slas/policies/{id}", r"slas/policies/(\d+)", lambda c: catalog_routes.one("sla_policy", c.ds.catalog.sla_policies, c.args[0])),
    ("automations", r"automations", lambda c: catalog_routes.rules(c.ds, c.req, "automations")),
    ("automations/active", r"automations/active", lambda c: catalog_routes.rules(c.ds, c.req, "automations", only_active=True)),
    ("automations/{id}", r"automations/(\d+)", lambda c: catalog_routes.one("automation", c.ds.catalog.automations, c.args[0])),
    ("triggers", r"triggers", lambda c: catalog_routes.rules(c.ds, c.req, "triggers")),
    ("triggers/active", r"triggers/active", lambda c: catalog_routes.rules(c.ds, c.req, "triggers", only_active=True)),
    ("triggers/{id}", r"triggers/(\d+)", lambda c: catalog_routes.one("trigger", c.ds.catalog.triggers, c.args[0])),
    ("custom_roles", r"custom_roles", lambda c: catalog_routes.whole("custom_roles", catalog_routes.live(c.ds.catalog.custom_roles))),
    ("custom_roles/{id}", r"custom_roles/(\d+)", lambda c: catalog_routes.one("custom_role", c.ds.catalog.custom_roles, c.args[0])),
    ("business_hours/schedules", r"business_hours/schedules",
     lambda c: catalog_routes.whole("schedules", catalog_routes.live(c.ds.catalog.schedules))),
    ("business_hours/schedules/{id}", r"business_hours/schedules/(\d+)",
     lambda c: catalog_routes.one("schedule", c.ds.catalog.schedules, c.args[0])),
    ("business_hours/schedules/{id}/holidays", r"business_hours/schedules/(\d+)/holidays",
     lambda c: catalog_routes.holidays(c.ds, c.args[0])),
    ("business_hours/schedules/{id}/holidays/{id}", r"business_hours/schedules/(\d+)/holidays/(\d+)",
     lambda c: catalog_routes.holidays(c.ds, c.args[0], c.args[1])),
    ("custom_statuses", r"custom_statuses", lambda c: catalog_routes.custom_statuses(c.ds, c.req)),
    ("custom_statuses/{id}", r"custom_statuses/(\d+)",
     lambda c: catalog_routes.one("custom_status", c.ds.catalog.custom_statuses, c.args[0])),
    ("routing/attributes", r"routing/attributes", lambda c: catalog_routes.routing_attributes(c.ds, c.req)),
    ("routing/attributes/definitions", r"routing/attributes/definitions", lambda c: catalog_routes.attribute_definitions(c.ds)),
    ("routing/attributes/{id}", r"routing/attributes/([0-9a-f-]{36})",
     lambda c: catalog_routes.one("attribute", c.ds.catalog.routing_attributes, c.args[0])),
    ("organization_memberships", r"organization_memberships", lambda c: derived_routes.organization_memberships(c.ds, c.req)),
    ("organization_memberships/{id}", r"organization_memberships/(\d+)",
     lambda c: derived_routes.organization_membership(c.ds, c.id)),
    ("users/{id}/organization_memberships", r"users/(\d+)/organization_memberships",
     lambda c: derived_routes.organization_memberships(c.ds, c.req, user_id=c.id)),
    ("organizations/{id}/organization_memberships", r"organizations/(\d+)/organization_memberships",
     lambda c: derived_routes.organization_memberships(c.ds, c.req, org_id=c.id)),
    ("audit_logs", r"audit_logs", lambda c: derived_routes.audit_logs(c.ds, c.req)),
    ("audit_logs/{id}", r"audit_logs/(\d+)", lambda c: derived_routes.audit_log_entry(c.ds, c.id)),
    ("activities", r"activities", lambda c: derived_routes.activities(c.ds, c.req)),
    ("activities/{id}", r"activities/(\d+)", lambda c: derived_routes.activity(c.ds, c.id)),
    ("skips", r"skips", lambda c: derived_routes.skips(c.ds, c.req)),
    ("users/{id}/skips", r"users/(\d+)/skips", lambda c: derived_routes.skips(c.ds, c.req, user_id=c.id)),
    ("tickets/{id}/skips", r"tickets/(\d+)/skips", lambda c: derived_routes.skips(c.ds, c.req, ticket_id=c.id)),
    ("tickets/{id}/side_conversations", r"tickets/(\d+)/side_conversations",
     lambda c: derived_routes.ticket_side_conversations(c.ds, c.req, c.id)),
    ("users/{id}/identities", r"users/(\d+)/identities", lambda c: derived_routes.user_identities(c.ds, c.req, c.id)),
    ("satisfaction_ratings", r"satisfaction_ratings", lambda c: lists.satisfaction_ratings(c.ds, c.req, c.now)),
    ("channels/voice/phone_numbers", r"channels/voice/phone_numbers", lambda c: account_routes.empty_list("phone_numbers")),
    ("search", r"search", lambda c: search.search(c.ds, c.req)),
    ("search/count", r"search/count", lambda c: search.search(c.ds, c.req, count_only=True)),
]
# Help Center and community (guide_routes.py): handlers take (dataset, request, path arguments).
def _guide(handler: guide_routes.Route) -> Handler:
    return lambda c: handler(c.ds, c.req, c.args)


ROUTES += [(name, pattern, _guide(handler)) for name, pattern, handler in guide_routes.ROUTES]
_COMPILED = [(name, re.compile(pattern + r"\Z"), handler) for name, pattern, handler in ROUTES]
# Outside the API: files Help Center serves itself (an article attachment's `content_url`).
_FILES = [(name, re.compile(pattern + r"\Z"), _guide(handler)) for name, pattern, handler in guide_routes.FILES]


def normalize(path: str) -> str | None:
    """`/api/v2/tickets/12.json` -> `tickets/12`; None outside the API."""
    if not path.startswith(PREFIX):
        return None
    rest = path[len(PREFIX):].rstrip("/")
    return rest[:-5] if rest.endswith(".json") else rest


def match(method: str, path: str) -> tuple[str, Handler, tuple[str, ...]] | None:
    if method.upper() not in ("GET", "HEAD"):
        return None
    rest, routes = normalize(path), _COMPILED
    if rest is None:
        if not path.startswith("/hc/"):
            return None
        rest, routes = path[1:].rstrip("/"), _FILES
    for name, pattern, handler in routes:
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
