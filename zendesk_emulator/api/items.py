"""Single records and a ticket's own sub-resources: audits, metrics, comments."""

from __future__ import annotations

import numpy as np

from .. import types
from ..data import ids
from ..data.catalog import public
from ..data.dataset import Dataset
from ..data.order import INDEX_MASK, View
from ..data.serial import dumps
from . import cursor_pages, offset_pages
from .http import envelope, not_found, ok, raw


def _ticket_index(ds: Dataset, ticket_id: int) -> int | None:
    index = ticket_id - 1
    return index if ds.ticket_shown(index) else None


def ticket(ds: Dataset, ticket_id: int) -> types.ApiResponse:
    index = _ticket_index(ds, ticket_id)
    if index is None:
        return not_found()
    return raw(b'{"ticket":' + ds.ticket_bytes(index) + b"}")


def ticket_metrics(ds: Dataset, ticket_id: int) -> types.ApiResponse:
    index = _ticket_index(ds, ticket_id)
    if index is None:
        return not_found()
    return raw(b'{"ticket_metric":' + ds.metric_bytes(index) + b"}")


def metric_set(ds: Dataset, metric_id: int) -> types.ApiResponse:
    index = metric_id - ids.METRIC - 1
    if not ds.ticket_listable(index):
        return not_found()
    return raw(b'{"ticket_metric":' + ds.metric_bytes(index) + b"}")


def _rows_response(req: types.ApiRequest, key: str, path: str, items: list[bytes], archived: bool) -> types.ApiResponse:
    """Oldest first, cursor or offset pagination; an archived ticket's list comes back whole on one page."""
    view = View(np.arange(len(items), dtype=np.uint64))
    if archived:
        if cursor_pages.wanted(req):
            meta = {"meta": {"has_more": False, "after_cursor": None, "before_cursor": None}, "links": {"next": None, "prev": None}}
        else:
            meta = {"next_page": None, "previous_page": None, "count": len(items)}
        return raw(envelope(key, items, meta))
    page = cursor_pages.page(req, view, key, path) if cursor_pages.wanted(req) else offset_pages.page(req, view, path)
    return raw(envelope(key, [items[k & INDEX_MASK] for k in page.keys], page.meta))


def ticket_audits(ds: Dataset, req: types.ApiRequest, ticket_id: int) -> types.ApiResponse:
    index = _ticket_index(ds, ticket_id)
    if index is None:
        return not_found()
    rows = ds.audits.rows_of(index)
    rows.sort(key=lambda r: (ds.audits.time_of(r), r))
    items = [ds.audit_bytes(r) for r in rows]
    return _rows_response(req, "audits", f"tickets/{ticket_id}/audits", items, bool(ds.tickets.cols.archived[index]))


def ticket_comments(ds: Dataset, req: types.ApiRequest, ticket_id: int) -> types.ApiResponse:
    index = _ticket_index(ds, ticket_id)
    if index is None:
        return not_found()
    items = [dumps(c) for c in ds.audits.comments(index)]
    if (req.arg("sort_order") or "asc") == "desc":
        items.reverse()
    return _rows_response(req, "comments", f"tickets/{ticket_id}/comments", items, False)


def user(ds: Dataset, user_id: int) -> types.ApiResponse:
    index = user_id - ids.USER - 1
    if not 0 <= index < len(ds.users):
        return not_found()
    return raw(b'{"user":' + ds.user_bytes(index) + b"}")


def organization(ds: Dataset, org_id: int) -> types.ApiResponse:
    index = org_id - ids.ORGANIZATION - 1
    if not 0 <= index < len(ds.orgs) or ds.orgs.cols.deleted_at[index]:
        return not_found()
    return raw(b'{"organization":' + ds.org_bytes(index) + b"}")


def from_list(key: str, records: list[dict], record_id: int, hide=lambda r: False) -> types.ApiResponse:
    for record in records:
        if record["id"] == record_id and not hide(record):
            return ok({key: public(record)})
    return not_found()
