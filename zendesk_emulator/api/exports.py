"""Incremental export endpoints: tickets and users (cursor- and time-based), organizations (time-based), samples,
and ticket metric events.

Tickets are ordered by `generated_timestamp`, users and organizations by `updated_at`. Deleted tickets are exported
with `status: "deleted"` unless `exclude_deleted=true`. `include=metric_sets` on the ticket export adds each
ticket's metric set twice: as `metric_set` inside the ticket (what Zendesk sends on exports and what singer's
tap-zendesk reads) and in a top-level `metric_sets` array (the usual sideload shape). `include=identities` on the
user export adds a top-level `identities` array.
"""

from __future__ import annotations

import numpy as np

from .. import types
from ..data import ids
from ..data.dataset import Dataset
from ..data.order import INDEX_MASK, View, view_of
from ..data.serial import dumps
from ..data.timefmt import iso
from . import cursor_pages, export_cursor, export_time
from .export_rules import start_time
from .http import carried, envelope, flag, link, raw

SAMPLE_SIZE = 50


def _includes(req: types.ApiRequest) -> set[str]:
    return {part.strip() for value in req.query.get("include", []) for part in value.split(",") if part.strip()}


def _ticket_view(ds: Dataset, req: types.ApiRequest) -> View:
    if not flag(req, "exclude_deleted"):
        return ds.view("tickets.export")

    def build() -> View:
        cols = ds.tickets.cols
        live = np.flatnonzero(cols.deleted == 0)
        return view_of(cols.generated[live], live)

    return ds.cached("tickets.export.live", build)


def _ticket_records(ds: Dataset, keys: list[int], includes: set[str]) -> tuple[list, bytes]:
    """Export rows (with generated_timestamp and, when asked, the embedded metric_set) and the sideload tail."""
    records, metric_sets = [], []
    deleted = memoryview(ds.tickets.cols.deleted)
    with_metrics = "metric_sets" in includes
    for key in keys:
        index = key & INDEX_MASK
        body = memoryview(ds.ticket_bytes(index))[:-1]
        stamp = b',"generated_timestamp":%d' % (key >> 32)
        if with_metrics and not deleted[index]:
            metric = ds.metric_bytes(index)
            metric_sets.append(metric)
            records.append((body, stamp, b',"metric_set":', metric, b"}"))
        else:
            records.append((body, stamp, b"}"))
    extra = b',"metric_sets":[' + b",".join(metric_sets) + b"]" if with_metrics else b""
    return records, extra


def _user_records(ds: Dataset, keys: list[int], includes: set[str]) -> tuple[list[bytes], bytes]:
    records = [ds.user_bytes(key & INDEX_MASK) for key in keys]
    if "identities" not in includes:
        return records, b""
    identities = [dumps(i) for key in keys for i in ds.users.identities(key & INDEX_MASK)]
    return records, b',"identities":[' + b",".join(identities) + b"]"


def _org_records(ds: Dataset, keys: list[int], includes: set[str]) -> tuple[list[bytes], bytes]:
    return [ds.org_bytes(key & INDEX_MASK) for key in keys], b""


def _prefetch(ds: Dataset, resource: str, view: View, keys: list[int], includes: set[str]) -> None:
    """Queue the records of the page a client following this one will ask for next."""
    if not keys:
        return
    start = view.position_after(keys[-1])
    following = [k & INDEX_MASK for k in view.slice(start, start + len(keys))]
    render = {"tickets": ds.ticket_bytes, "users": ds.user_bytes, "organizations": ds.org_bytes}[resource]
    jobs = [lambda i=i: render(i) for i in following]
    if resource == "tickets" and "metric_sets" in includes:
        jobs += [lambda i=i: ds.metric_bytes(i) for i in following]
    ds.prefetcher.schedule(jobs)


RESOURCES = {
    "tickets": (_ticket_view, _ticket_records),
    "users": (lambda ds, req: ds.view("users.export"), _user_records),
    "organizations": (lambda ds, req: ds.view("orgs.export"), _org_records),
}


def cursor_export(ds: Dataset, req: types.ApiRequest, resource: str, now: float) -> types.ApiResponse:
    view_for, render = RESOURCES[resource]
    view = view_for(ds, req)
    result = export_cursor.page(req, view, now)
    includes = _includes(req)
    records, extra = render(ds, result.keys, includes)
    keep = carried(req, ("cursor", "start_time"))
    path = f"incremental/{resource}/cursor"
    meta = {
        "after_url": link(req, path, [("cursor", result.after_cursor)] + keep) if result.after_cursor else None,
        "after_cursor": result.after_cursor,
        "before_url": link(req, path, [("cursor", result.before_cursor)] + keep) if result.before_cursor else None,
        "before_cursor": result.before_cursor,
        "end_of_stream": result.end_of_stream,
    }
    body = envelope(resource, records, meta, extra)
    if not result.end_of_stream:
        _prefetch(ds, resource, view, result.keys, includes)
    return raw(body)


def time_export(ds: Dataset, req: types.ApiRequest, resource: str, now: float, sample: bool = False) -> types.ApiResponse:
    view_for, render = RESOURCES[resource]
    view = view_for(ds, req)
    result = export_time.page(req, view, now, SAMPLE_SIZE if sample else export_time.MAX_PER_PAGE)
    includes = _includes(req)
    records, extra = render(ds, result.keys, includes)
    path = f"incremental/{resource}/sample" if sample else f"incremental/{resource}"
    meta = {
        "count": len(records),
        "end_of_stream": result.end_of_stream,
        "end_time": result.end_time,
        "next_page": link(req, path, carried(req, ("start_time",)) + [("start_time", result.end_time)]),
    }
    body = envelope(resource, records, meta, extra)
    if not result.end_of_stream and not sample:
        _prefetch(ds, resource, view, result.keys, includes)
    return raw(body)


# -- ticket metric events ------------------------------------------------------------------------------------------
_METRIC_EVENTS = (("reply_time", "activate"), ("agent_work_time", "activate"), ("requester_wait_time", "activate"),
                  ("agent_work_time", "fulfill"), ("requester_wait_time", "fulfill"))


def _metric_event_view(ds: Dataset) -> View:
    """Three activate events when a ticket is created and two fulfill events when it is solved or closed."""
    return ds.cached("#metric_events", lambda: _build_metric_events(ds))


def _build_metric_events(ds: Dataset) -> View:
    cols = ds.tickets.cols
    live = np.flatnonzero(cols.deleted == 0)
    done = live[cols.status[live] >= 4]
    times = np.concatenate([np.repeat(cols.created[live], 3), np.repeat(cols.updated[done], 2)])
    codes = np.concatenate([(live[:, None] * 8 + np.arange(3)).ravel(), (done[:, None] * 8 + np.arange(3, 5)).ravel()])
    return view_of(times, codes)


def _metric_event(ds: Dataset, key: int) -> bytes:
    code = key & INDEX_MASK
    index, j = divmod(code, 8)
    metric, kind = _METRIC_EVENTS[j]
    return dumps({"id": ids.METRIC + 500_000_000 + code, "ticket_id": index + 1, "metric": metric, "instance_id": 1,
                  "type": kind, "time": iso(key >> 32)})


def metric_events(ds: Dataset, req: types.ApiRequest, now: float) -> types.ApiResponse:
    """Served without the too-recent check: tap-zendesk's discovery asks for start_time=now and expects a 200."""
    view = _metric_event_view(ds)
    path = "incremental/ticket_metric_events"
    if cursor_pages.wanted(req):
        since = start_time(req, now, enforce_recent=False)
        sub = View(view.keys[view.position_of(since << 32):])
        result = cursor_pages.page(req, sub, "metric_events", path)
        return raw(envelope("ticket_metric_events", [_metric_event(ds, k) for k in result.keys], result.meta))
    result = export_time.page(req, view, now, export_time.MAX_PER_PAGE, enforce_recent=False)
    meta = {"count": len(result.keys), "end_of_stream": result.end_of_stream, "end_time": result.end_time,
            "next_page": link(req, path, carried(req, ("start_time",)) + [("start_time", result.end_time)])}
    return raw(envelope("ticket_metric_events", [_metric_event(ds, k) for k in result.keys], meta))
