"""Incremental export endpoints: tickets and users (cursor- and time-based), organizations and ticket events
(time-based), samples, and ticket metric events.

Tickets are ordered by `generated_timestamp`, users and organizations by `updated_at`. Deleted tickets are exported
with `status: "deleted"` unless `exclude_deleted=true`. `include=metric_sets` on the ticket export adds each
ticket's metric set twice: as `metric_set` inside the ticket (what Zendesk sends on exports and what singer's
tap-zendesk reads) and in a top-level `metric_sets` array (the usual sideload shape). `include=identities` on the
user export adds a top-level `identities` array.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from .. import types
from ..data import metric_events as metric_events_data
from ..data import ticket_events as ticket_events_data
from ..data.dataset import Dataset
from ..data.order import INDEX_MASK, View, view_of
from ..data.serial import dumps
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
    records: list[tuple[memoryview | bytes, ...]] = []
    metric_sets: list[bytes] = []
    deleted = ds.tickets.cols.deleted.data
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
    jobs: list[Callable[[], object]] = [partial(render, i) for i in following]
    if resource == "tickets" and "metric_sets" in includes:
        jobs += [partial(ds.metric_bytes, i) for i in following]
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
    body = envelope(resource, records, export_cursor.links(req, f"incremental/{resource}/cursor", result), extra)
    if not result.end_of_stream:
        _prefetch(ds, resource, view, result.keys, includes)
    return raw(body)


def _time_meta(req: types.ApiRequest, path: str, result: export_time.TimePage) -> dict:
    return {
        "count": len(result.keys),
        "end_of_stream": result.end_of_stream,
        "end_time": result.end_time,
        "next_page": link(req, path, carried(req, ("start_time",)) + [("start_time", result.end_time)]),
    }


def time_export(ds: Dataset, req: types.ApiRequest, resource: str, now: float, sample: bool = False) -> types.ApiResponse:
    view_for, render = RESOURCES[resource]
    view = view_for(ds, req)
    result = export_time.page(req, view, now, SAMPLE_SIZE if sample else export_time.MAX_PER_PAGE)
    includes = _includes(req)
    records, extra = render(ds, result.keys, includes)
    path = f"incremental/{resource}/sample" if sample else f"incremental/{resource}"
    body = envelope(resource, records, _time_meta(req, path, result), extra)
    if not result.end_of_stream and not sample:
        _prefetch(ds, resource, view, result.keys, includes)
    return raw(body)


# -- ticket events -------------------------------------------------------------------------------------------------
def ticket_events(ds: Dataset, req: types.ApiRequest, now: float, sample: bool = False) -> types.ApiResponse:
    """Time-based only (a cursor mode is not documented); `include=comment_events` puts the comments in."""
    view = ticket_events_data.view(ds)
    result = export_time.page(req, view, now, SAMPLE_SIZE if sample else export_time.MAX_PER_PAGE)
    with_comments = "comment_events" in _includes(req)
    records = [ticket_events_data.event_bytes(ds, k & INDEX_MASK, with_comments) for k in result.keys]
    path = "incremental/ticket_events/sample" if sample else "incremental/ticket_events"
    body = envelope("ticket_events", records, _time_meta(req, path, result))
    if records and not result.end_of_stream and not sample:
        start = view.position_after(result.keys[-1])
        following = [k & INDEX_MASK for k in view.slice(start, start + len(records))]
        ds.prefetcher.schedule([partial(ticket_events_data.event_bytes, ds, r, with_comments) for r in following])
    return raw(body)


# -- ticket metric events ------------------------------------------------------------------------------------------
def metric_events(ds: Dataset, req: types.ApiRequest, now: float) -> types.ApiResponse:
    """Oldest first. Cursor pagination (`page[size]` up to 100) from `start_time`, or a time-based export when no
    `page[...]` parameter is given (Zendesk: "if results are not paginated, events are returned as a time-based
    incremental export"). Served without the too-recent check: tap-zendesk's discovery asks for start_time=now and
    expects a 200."""
    view = metric_events_data.view(ds)
    path = "incremental/ticket_metric_events"
    if cursor_pages.wanted(req):
        since = start_time(req, now, enforce_recent=False)
        sub = View(view.keys[view.position_of(since << 32):])
        result = cursor_pages.page(req, sub, "metric_events", path)
        return raw(envelope("ticket_metric_events", [metric_events_data.event_bytes(ds, k) for k in result.keys], result.meta))
    page = export_time.page(req, view, now, export_time.MAX_PER_PAGE, enforce_recent=False)
    records = [metric_events_data.event_bytes(ds, k) for k in page.keys]
    return raw(envelope("ticket_metric_events", records, _time_meta(req, path, page)))
