"""Lists derived from the account's columns: organization memberships, the audit log, the activity stream, ticket
skips, a ticket's side conversations and a user's identities. All serve cursor (`page[size]`) and offset
(`page`/`per_page`) pagination, 100 records at most per page.

- audit_logs: newest first (`sort=-created_at` for cursor, `sort_by=created_at&sort_order=desc` for offset);
  `filter[source_type]`, `filter[source_id]` (only with a source type, as documented), `filter[actor_id]`,
  `filter[ip_address]`, `filter[action]`, and `filter[created_at]` given twice (start, then end, both inclusive;
  `filter[created_at][]` works too). One `filter[created_at]` or an unreadable time is a 400 InvalidValue.
- activities: only those affecting the requesting agent, newest first unless `sort=created_at` or `sort_order=asc`;
  `since` (ISO 8601, inclusive); sideloads `actors` and `users` for the page.
- skips: `sort_order` (asc by default) on created_at, `ticket_id`; `users/{id}/skips` for one agent,
  `tickets/{id}/skips` for one ticket.
- side conversations: per ticket, oldest first; `include=events` adds a top-level `events` array for the page.
- identities: per user, email first; `type`/`type[]` filter.
- deleted tickets (id order; `sort_by` id or deleted_at, `sort_order`), deleted users (id order; `deleted_users/count`),
  suspended tickets (newest first unless `sort_order=asc`): data/deletions.py.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import types
from ..data import agent_work, audit_log, conversation_log, deletions, ids, org_memberships, side_conversations
from ..data.catalog import public
from ..data.dataset import Dataset
from ..data.order import INDEX_MASK, View, view_of
from ..data.serial import dumps
from ..data.timefmt import iso, parse_iso
from . import cursor_pages, offset_pages
from .http import BadParameter, envelope, invalid, not_found, ok, raw
from .lists import serve, serve_records


def _page(req: types.ApiRequest, view: View, order: str, path: str):
    return cursor_pages.page(req, view, order, path) if cursor_pages.wanted(req) else offset_pages.page(req, view, path)


def _time(value: str, name: str) -> int:
    try:
        return parse_iso(value)
    except ValueError:
        raise BadParameter(invalid(f"{name} must be an ISO 8601 time, got {value!r}")) from None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().lstrip("-").isdigit() else None


# -- organization memberships ---------------------------------------------------------------------------------------
def organization_memberships(ds: Dataset, req: types.ApiRequest, user_id: int | None = None,
                             org_id: int | None = None) -> types.ApiResponse:
    t = org_memberships.table(ds)
    if user_id is not None:
        rows = np.flatnonzero(t.user == user_id - ids.USER - 1)
        # For one user: the default organization first, then by organization name (documented).
        rows = np.array(sorted(rows.tolist(), key=lambda r: (not t.default[r], ds.orgs.name(int(t.org[r])))), dtype=np.int64)
        view, order, path = View(np.arange(len(rows), dtype=np.uint64)), f"org_memberships.user.{user_id}", \
            f"users/{user_id}/organization_memberships"
        return serve(req, "organization_memberships", path, order, view,
                     lambda k: dumps(org_memberships.record(ds, t, int(rows[k]))))
    rows = np.arange(len(t.id))
    path = "organization_memberships"
    if org_id is not None:
        rows = np.flatnonzero(t.org == org_id - ids.ORGANIZATION - 1)
        path = f"organizations/{org_id}/organization_memberships"
    view = View((t.id[rows] - ids.ORG_MEMBERSHIP).astype(np.uint64))

    def render(k: int) -> bytes:
        row = t.row(ids.ORG_MEMBERSHIP + k)
        assert row is not None  # the view lists ids the table holds
        return dumps(org_memberships.record(ds, t, row))
    return serve(req, "organization_memberships", path, "org_memberships.id", view, render)


def organization_membership(ds: Dataset, membership_id: int) -> types.ApiResponse:
    t = org_memberships.table(ds)
    row = t.row(membership_id)
    if row is None:
        return not_found()
    return raw(b'{"organization_membership":' + dumps(org_memberships.record(ds, t, row)) + b"}")


# -- audit logs -----------------------------------------------------------------------------------------------------
def _audit_request(req: types.ApiRequest) -> types.ApiRequest:
    """`filter[created_at]` given twice means the same as `filter[created_at][]`: links carry both values."""
    if "filter[created_at]" not in req.query:
        return req
    query = dict(req.query)
    query["filter[created_at][]"] = query.pop("filter[created_at]") + query.get("filter[created_at][]", [])
    return dataclasses.replace(req, query=query)


def audit_logs(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    req = _audit_request(req)
    lg = audit_log.log(ds)
    mask = np.ones(len(lg.time), dtype=bool)
    source_type = req.arg("filter[source_type]")
    if source_type:
        mask &= lg.type == (lg.types.index(source_type) if source_type in lg.types else -1)
        source_id = _int(req.arg("filter[source_id]"))
        if source_id is not None:
            mask &= lg.source_id == source_id
    actor = _int(req.arg("filter[actor_id]"))
    if actor is not None:
        mask &= lg.actor == actor - ids.USER - 1
    ip = req.arg("filter[ip_address]")
    if ip:
        octet = _int(ip.rsplit(".", 1)[-1]) if ip.startswith("203.0.113.") else None
        mask &= (lg.actor % 250 + 1) == (octet if octet is not None else -1)
    action = req.arg("filter[action]")
    if action:
        mask &= lg.action == (audit_log.ACTIONS.index(action) if action in audit_log.ACTIONS else -1)
    window = [v for v in dict.fromkeys(req.query.get("filter[created_at][]", [])) if v]
    if window:
        if len(window) != 2:
            raise BadParameter(invalid("filter[created_at] must be given twice: a start time and an end time"))
        start, end = (_time(v, "filter[created_at]") for v in window)
        mask &= (lg.time >= start) & (lg.time <= end)
    if cursor_pages.wanted(req):
        sort = req.arg("sort") or "-created_at"
        descending = sort.startswith("-")
    else:
        descending = (req.arg("sort_order") or "desc").lower() != "asc"
    chosen = np.flatnonzero(mask)
    view = view_of(lg.time[chosen], chosen, descending)
    return serve(req, "audit_logs", "audit_logs", "audit_logs", view, lambda k: dumps(audit_log.record(ds, k & INDEX_MASK)))


def audit_log_entry(ds: Dataset, log_id: int) -> types.ApiResponse:
    row = log_id - ids.AUDIT_LOG - 1
    if not 0 <= row < len(audit_log.log(ds).time):
        return not_found()
    return raw(b'{"audit_log":' + dumps(audit_log.record(ds, row)) + b"}")


# -- activity stream --------------------------------------------------------------------------------------------------
def _descending(req: types.ApiRequest, default_descending: bool) -> bool:
    sort = req.arg("sort")
    if sort:
        return sort.startswith("-")
    order = req.arg("sort_order")
    return order.lower() == "desc" if order else default_descending


def activities(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    a = agent_work.activities(ds)
    me = (req.user_id or 0) - ids.USER - 1
    mask = a.user == me
    since = req.arg("since")
    if since:
        mask &= a.time >= _time(since, "since")
    chosen = np.flatnonzero(mask)
    view = view_of(a.time[chosen], a.row[chosen], _descending(req, True))
    page = _page(req, view, "activities", "activities")
    records: list[bytes] = []
    people: dict[str, dict[int, None]] = {}
    for key in page.keys:
        body, user, actor = agent_work.activity_bytes(ds, a, int(np.searchsorted(a.row, key & INDEX_MASK)))
        records.append(body)
        people.setdefault("users", {})[user] = None
        people.setdefault("actors", {})[actor] = None
    extra = b"".join(b',"' + name.encode() + b'":[' + b",".join(ds.user_bytes(i) for i in people.get(name, {})) + b"]"
                     for name in ("actors", "users"))
    return raw(envelope("activities", records, page.meta, extra))


def activity(ds: Dataset, activity_id: int) -> types.ApiResponse:
    a = agent_work.activities(ds)
    row = activity_id - ids.ACTIVITY - 1
    k = int(np.searchsorted(a.row, row))
    if k >= len(a.row) or a.row[k] != row:
        return not_found()
    return raw(b'{"activity":' + agent_work.activity_bytes(ds, a, k)[0] + b"}")


# -- ticket skips -----------------------------------------------------------------------------------------------------
def skips(ds: Dataset, req: types.ApiRequest, user_id: int | None = None, ticket_id: int | None = None) -> types.ApiResponse:
    """`skips`, `users/{id}/skips` or `tickets/{id}/skips`; `sort_order` defaults to asc (documented)."""
    s = agent_work.skips(ds)
    cols = ds.tickets.cols
    mask = (cols.deleted[s.ticket] == 0) & (cols.archived[s.ticket] == 0)
    path = "skips" if ticket_id is None else f"tickets/{ticket_id}/skips"
    ticket_id = ticket_id if ticket_id is not None else _int(req.arg("ticket_id"))
    if ticket_id is not None:
        mask &= s.ticket == ticket_id - 1
    if user_id is not None:
        mask &= s.user == user_id - ids.USER - 1
        path = f"users/{user_id}/skips"
    chosen = np.flatnonzero(mask)
    view = view_of(s.time[chosen], chosen, _descending(req, False))
    return serve(req, "skips", path, "skips", view, lambda k: agent_work.skip_bytes(ds, s, k & INDEX_MASK))


# -- per ticket and per user --------------------------------------------------------------------------------------------
def ticket_side_conversations(ds: Dataset, req: types.ApiRequest, ticket_id: int) -> types.ApiResponse:
    index = ticket_id - 1
    if not ds.ticket_shown(index):
        return not_found()
    threads = side_conversations.threads_of(ds, index)
    path = f"tickets/{ticket_id}/side_conversations"
    page = _page(req, View(np.arange(len(threads), dtype=np.uint64)), path, path)
    chosen = [threads[k] for k in page.keys]
    records = [dumps(side_conversations.record(ds, t)) for t in chosen]
    includes = {p.strip() for v in req.query.get("include", []) for p in v.split(",")}
    extra = b""
    if "events" in includes:
        extra = b',"events":' + dumps([e for t in chosen for e in side_conversations.events(ds, t)])
    return raw(envelope("side_conversations", records, page.meta, extra))


def ticket_conversation_log(ds: Dataset, req: types.ApiRequest, ticket_id: int) -> types.ApiResponse:
    """Cursor pages only (`page[size]` up to 100, the default page when none is asked for), oldest first."""
    index = ticket_id - 1
    if not ds.ticket_shown(index):
        return not_found()
    found = conversation_log.entries(ds, index)
    path = f"tickets/{ticket_id}/conversation_log"
    page = cursor_pages.page(req, View(np.arange(len(found), dtype=np.uint64)), path, path)
    return raw(envelope("events", [dumps(found[k]) for k in page.keys], page.meta))


def user_identities(ds: Dataset, req: types.ApiRequest, user_id: int) -> types.ApiResponse:
    index = user_id - ids.USER - 1
    if not 0 <= index < len(ds.users):
        return not_found()
    found = ds.users.identities(index)
    kinds = {k for v in req.query.get("type", []) + req.query.get("type[]", []) for k in v.split(",") if k}
    if kinds:
        found = [i for i in found if i["type"] in kinds]
    path = f"users/{user_id}/identities"
    return serve(req, "identities", path, path, View(np.arange(len(found), dtype=np.uint64)),
                 lambda k: dumps(found[k]))


# -- deleted tickets, deleted users, suspended tickets ---------------------------------------------------------------
def deleted_tickets(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    by = (req.arg("sort_by") or (req.arg("sort") or "id").lstrip("-"))
    field = "deleted_at" if by == "deleted_at" else "id"
    descending = _descending(req, False)
    return serve_records(req, "deleted_tickets", "deleted_tickets", f"deleted_tickets.{field}.{descending}",
                         deletions.deleted_tickets(ds), lambda r: parse_iso(r["deleted_at"]) if field == "deleted_at" else r["id"],
                         descending)


def deleted_users(ds: Dataset, req: types.ApiRequest, count: bool = False) -> types.ApiResponse:
    indexes = deletions.deleted_user_indexes(ds)
    if count:
        return ok({"count": {"value": len(indexes), "refreshed_at": iso(ds.as_of)}})
    view = View(np.array(indexes, dtype=np.uint64))
    return serve(req, "deleted_users", "deleted_users", "deleted_users.id", view, lambda k: ds.user_bytes(int(k)))


def deleted_user(ds: Dataset, user_id: int) -> types.ApiResponse:
    index = user_id - ids.USER - 1
    if not 0 <= index < len(ds.users) or ds.users.cols.active[index]:
        return not_found()
    return raw(b'{"deleted_user":' + ds.user_bytes(index) + b"}")


def suspended_tickets(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    descending = _descending(req, True)
    return serve_records(req, "suspended_tickets", "suspended_tickets", f"suspended.{descending}",
                         deletions.suspended_tickets(ds), lambda r: r["_created"], descending)


def suspended_ticket(ds: Dataset, suspended_id: int) -> types.ApiResponse:
    found = [r for r in deletions.suspended_tickets(ds) if r["id"] == suspended_id]
    return raw(b'{"suspended_ticket":' + dumps(public(found[0])) + b"}") if found else not_found()
