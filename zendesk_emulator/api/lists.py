"""List endpoints: each serves cursor pagination when a `page[...]` parameter is present and offset pagination
otherwise, from a sorted view of record keys and a function that renders one key as JSON bytes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import types
from ..data import ratings
from ..data.catalog import public
from ..data.dataset import Dataset
from ..data.order import INDEX_MASK, View, pack, view_of
from ..data.serial import dumps
from ..data.timefmt import iso
from . import audit_cursor, cursor_pages, offset_pages
from .http import carried, envelope, flag, link, ok, raw

Render = Callable[[int], bytes]


def serve(req: types.ApiRequest, key: str, path: str, order: str, view: View, render: Render) -> types.ApiResponse:
    page: cursor_pages.CursorPage | offset_pages.OffsetPage
    if cursor_pages.wanted(req):
        page = cursor_pages.page(req, view, order, path)
    else:
        page = offset_pages.page(req, view, path)
    return raw(envelope(key, [render(k) for k in page.keys], page.meta))


def serve_records(req: types.ApiRequest, key: str, path: str, order: str, records: list[dict], sort: Callable[[dict], int],
                  descending: bool = False) -> types.ApiResponse:
    """A small resource held whole: view keys are (sort value, position in `records`)."""
    keys = pack(np.array([sort(r) for r in records], dtype=np.int64), np.arange(len(records)))
    keys.sort()
    return serve(req, key, path, order, View(keys, descending), lambda k: dumps(public(records[k & INDEX_MASK])))


def unpaginated(key: str, records: list[dict]) -> types.ApiResponse:
    return ok({key: [public(r) for r in records], "next_page": None, "previous_page": None, "count": len(records)})


# -- tickets -------------------------------------------------------------------------------------------------------
def tickets(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    """Sort: cursor style `sort=id|-id|updated_at|-updated_at`; offset style `sort_by` + `sort_order`."""
    if cursor_pages.wanted(req):
        sort = req.arg("sort", "id") or "id"
        field, descending = sort.lstrip("-"), sort.startswith("-")
    else:
        field, descending = req.arg("sort_by", "id") or "id", (req.arg("sort_order", "asc") or "asc") == "desc"
    by_updated = field == "updated_at"
    base = ds.view("tickets.updated" if by_updated else "tickets.id")
    order = f"tickets.{'updated' if by_updated else 'id'}.{'desc' if descending else 'asc'}"
    return serve(req, "tickets", "tickets", order, View(base.keys, descending),
                 lambda k: ds.ticket_bytes(k & INDEX_MASK))


def ticket_metrics(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    return serve(req, "ticket_metrics", "ticket_metrics", "ticket_metrics", ds.view("ticket_metrics"),
                 lambda k: ds.metric_bytes(k & INDEX_MASK))


def ticket_audits(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    """Newest first. `page[size]` gives cursor pagination; otherwise the legacy `cursor`/`limit` style."""
    view = ds.view("ticket_audits")
    render = lambda k: ds.audit_bytes(k & INDEX_MASK)  # noqa: E731
    if cursor_pages.wanted(req):
        page = cursor_pages.page(req, view, "ticket_audits", "ticket_audits")
        return raw(envelope("audits", [render(k) for k in page.keys], page.meta))
    legacy = audit_cursor.page(req, view)
    keep: list[tuple[str, str | int | None]] = [*carried(req, ("cursor", "limit")), ("limit", legacy.limit)]
    meta = {
        "before_url": link(req, "ticket_audits", [("cursor", legacy.before_cursor)] + keep) if legacy.before_cursor else None,
        "before_cursor": legacy.before_cursor,
        "after_url": link(req, "ticket_audits", [("cursor", legacy.after_cursor)] + keep) if legacy.after_cursor else None,
        "after_cursor": legacy.after_cursor,
    }
    return raw(envelope("audits", [render(k) for k in legacy.keys], meta))


# -- people ----------------------------------------------------------------------------------------------------------
_ROLE_CODES = {"end-user": 0, "agent": 1, "admin": 2}


def users(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    roles = [r for v in req.query.get("role", []) + req.query.get("role[]", []) for r in v.split(",") if r in _ROLE_CODES]
    view = ds.view("users.id")
    if roles:
        cols = ds.users.cols
        codes = [_ROLE_CODES[r] for r in roles]
        view = View(np.flatnonzero((cols.active == 1) & np.isin(cols.role, codes)).astype(np.uint64))
    return serve(req, "users", "users", "users.id", view, lambda k: ds.user_bytes(k & INDEX_MASK))


def organizations(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    return serve(req, "organizations", "organizations", "organizations.id", ds.view("orgs.id"),
                 lambda k: ds.org_bytes(k & INDEX_MASK))


def count(ds: Dataset, what: str, now: float) -> types.ApiResponse:
    """Tickets count every ticket that is not deleted, archived ones included; users only active ones."""
    cols = {"tickets": ds.tickets.cols.deleted == 0, "users": ds.users.cols.active == 1,
            "organizations": ds.orgs.cols.deleted_at == 0}[what]
    return ok({"count": {"value": int(cols.sum()), "refreshed_at": iso(int(now))}})


# -- configuration-like resources -------------------------------------------------------------------------------------
def groups(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    """Deleted groups are left out unless `exclude_deleted=false`."""
    records = ds.catalog.groups
    if flag(req, "exclude_deleted", True):
        records = [g for g in records if not g["deleted"]]
    return serve_records(req, "groups", "groups", "groups.id", records, lambda r: r["id"])


def group_memberships(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    return serve_records(req, "group_memberships", "group_memberships", "group_memberships.id", ds.catalog.memberships,
                         lambda r: r["id"])


_MACRO_SORTS = {"alphabetical": lambda r: r["title"].lower(), "created_at": lambda r: r["_created"],
                "updated_at": lambda r: r["_updated"], "position": lambda r: r["position"], "id": lambda r: r["id"]}


def macros(ds: Dataset, req: types.ApiRequest, only_active: bool = False) -> types.ApiResponse:
    records = ds.catalog.macros
    active = req.arg("active")
    if only_active or active is not None:
        wanted = only_active or (active or "").lower() == "true"
        records = [m for m in records if m["active"] == wanted]
    sort_by = req.arg("sort_by", "position") or "position"
    by = _MACRO_SORTS.get(sort_by, _MACRO_SORTS["position"])
    ordered = sorted(records, key=lambda r: (by(r), r["id"]))
    descending = (req.arg("sort_order", "asc") or "asc") == "desc"
    path = "macros/active" if only_active else "macros"
    # Keys are positions in `ordered` (the sort value is constant, the position breaks the tie).
    return serve_records(req, "macros", path, f"macros.{sort_by}", ordered, lambda r: 0, descending)


def tags(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    """Most used first; the key of a tag is its rank."""
    ranked = sorted(ds.tag_counts().items(), key=lambda item: (-item[1], item[0]))
    records = [{"name": name, "count": n} for name, n in ranked]
    return serve(req, "tags", "tags", "tags", View(np.arange(len(records), dtype=np.uint64)),
                 lambda k: dumps(records[k & INDEX_MASK]))


def ticket_fields(ds: Dataset, req: types.ApiRequest) -> types.ApiResponse:
    """Unpaginated by position, or cursor-paginated by id when `page[size]` is given."""
    records = ds.catalog.ticket_fields
    if cursor_pages.wanted(req):
        return serve_records(req, "ticket_fields", "ticket_fields", "ticket_fields.id", records, lambda r: r["id"])
    return unpaginated("ticket_fields", sorted(records, key=lambda r: (r["position"], r["id"])))


_SCORES: dict[str, tuple[tuple[int, ...], bool | None]] = {"offered": ((ratings.OFFERED,), None), "good": ((ratings.GOOD,), None), "bad": ((ratings.BAD,), None),
           "received": ((ratings.GOOD, ratings.BAD), None), "unoffered": ((), None)}
for _name in ("received", "good", "bad"):
    _SCORES[f"{_name}_with_comment"] = (_SCORES[_name][0], True)
    _SCORES[f"{_name}_without_comment"] = (_SCORES[_name][0], False)


def satisfaction_ratings(ds: Dataset, req: types.ApiRequest, now: float) -> types.ApiResponse:
    """Ratings of surveyed tickets (data/ratings.py). Filters: `score` (offered, received, good, bad, each received
    one also `_with_comment`/`_without_comment`; unoffered tickets have no rating record, so none), `start_time`
    (inclusive) and `end_time` (exclusive) in unix seconds on `updated_at`. Order: by id, or with `sort`
    (`created_at`, `updated_at`, `id`, `-` for descending)."""
    cols = ds.tickets.cols
    scores, commented = _SCORES.get(req.arg("score") or "", (ratings.RATED, None))
    mask = (cols.deleted == 0) & np.isin(cols.score, scores)
    if commented is not None:
        mask &= ratings.has_comment(ds) == commented
    created, updated = ratings.timeline(ds)
    for name, op in (("start_time", np.greater_equal), ("end_time", np.less)):
        value = req.arg(name)
        if value and value.strip().isdigit():
            mask &= op(updated, int(value))
    chosen = np.flatnonzero(mask)
    sort = req.arg("sort") or "id"
    field, descending = sort.lstrip("-"), sort.startswith("-")
    if field in ("created_at", "updated_at"):
        view = view_of((created if field == "created_at" else updated)[chosen], chosen, descending)
        order = f"satisfaction_ratings.{field}"
    else:
        view, order = View(chosen.astype(np.uint64), descending), "satisfaction_ratings.id"
    return serve(req, "satisfaction_ratings", "satisfaction_ratings", order, view,
                 lambda k: dumps(ratings.record(ds, k & INDEX_MASK)))
