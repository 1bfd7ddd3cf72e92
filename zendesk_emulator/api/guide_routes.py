"""Help Center and community endpoints (data/guide.py), as Zendesk's Help Center API reference describes them.

Lists serve cursor pagination when a `page[...]` parameter is present (`page[size]` 1..100, default 30,
`meta.has_more`, `links.next`) and Help Center's offset pagination otherwise (`page`, `per_page` 1..100, default
30; `next_page`, `previous_page`, `page`, `per_page`, `page_count`, `count`, `sort_by`, `sort_order`; past page 100
the 400 every offset list answers). An optional locale after `help_center/` (`help_center/en-us/articles`) is
accepted. Orders:
- categories, sections, topics: `sort_by` position (default), created_at or updated_at; `sort_order` asc (default)
  or desc.
- articles: `sort_by` position (default), title, created_at, updated_at or edited_at; `sort_order` asc (default).
- article and post comments: `sort_by` created_at (default) or updated_at; `sort_order` asc (default).
- posts: `sort_by` created_at (default), updated_at, edited_at, recent_activity, votes or comments, newest (most)
  first unless `sort_order=asc`; `filter_by` planned, not_planned, completed, answered or none (the status).
- votes: oldest first.
Article attachments are one unpaginated list (`next_page: null`), as documented; the file behind an attachment's
`content_url` (`/hc/article_attachments/{id}/{file name}`, outside the API) is served with its `content_type`. Parameters the reference does not
list (such as the `start_time` the official connector sends to child lists) are ignored.

The incremental article export (`help_center/incremental/articles?start_time=<unix seconds>`) returns every article
changed after `start_time` (exclusive), oldest change first, up to 1,000 a page (`per_page` lowers it); a page never
ends inside a second (it grows to hold the whole second, so the exclusive next start drops nothing). `end_time` is the
last article's change and `next_page` the same request with `start_time=end_time`; the page after the last one is
empty, with `next_page: null`. A missing or non-numeric `start_time` is a 400 InvalidValue.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import types
from ..data import guide as gd
from ..data.dataset import Dataset
from ..data.order import INDEX_MASK, View, pack
from ..data.serial import dumps
from ..data.timefmt import parse_iso
from . import cursor_pages, offset_pages
from .http import carried, envelope, int_arg, invalid, link, not_found, raw

PAGE_SIZE = 30  # Help Center's default page
EXPORT_PAGE = 1000
LOC = r"(?:[a-z]{2}(?:-[a-z0-9]{2,4})?/)?"  # help_center/{locale}/...


def _rest(req: types.ApiRequest) -> str:
    rest = req.path.split("/api/v2/", 1)[-1].rstrip("/")
    return rest[:-5] if rest.endswith(".json") else rest


def _sort_value(field: str, records: list[dict]) -> Callable[[dict], int]:
    if field in ("created_at", "updated_at"):
        return lambda r: r["_" + field.split("_")[0]]
    if field == "edited_at":
        return lambda r: parse_iso(r["edited_at"]) if "edited_at" in r else r["_updated"]
    if field == "title":
        ranks = {r["id"]: k for k, r in enumerate(sorted(records, key=lambda r: (r["title"].lower(), r["id"])))}
        return lambda r: ranks[r["id"]]
    if field == "votes":
        return lambda r: r["vote_sum"] + (1 << 30)
    if field == "comments":
        return lambda r: r["comment_count"]
    if field == "recent_activity":
        return lambda r: r["_updated"]
    return lambda r: r["position"]


def _serve(req: types.ApiRequest, key: str, records: list[dict], field: str, descending: bool,
           sort_order: str | None = None) -> types.ApiResponse:
    """One list, paginated either way; cursors name the order they belong to, so they survive changes."""
    value = _sort_value(field, records)
    by_serial = {r["id"] % 1_000_000_000: r for r in records}
    keys = pack(np.array([value(r) for r in records], dtype=np.int64),
                np.array(list(by_serial), dtype=np.int64)) if records else np.zeros(0, dtype=np.uint64)
    view = View(np.sort(keys), descending)
    path = _rest(req)
    order = f"{path}:{field}:{'desc' if descending else 'asc'}"
    page: cursor_pages.CursorPage | offset_pages.OffsetPage
    if cursor_pages.wanted(req):
        page = cursor_pages.page(req, view, order, path, default_size=PAGE_SIZE)
        meta = page.meta
    else:
        page = offset_pages.page(req, view, path, default_per_page=PAGE_SIZE)
        per_page = int_arg(req, "per_page", PAGE_SIZE, 1, offset_pages.MAX_PER_PAGE)
        meta = {**page.meta, "page": int_arg(req, "page", 1, 1, 1 << 31), "per_page": per_page,
                "page_count": -(-len(view) // per_page), "sort_by": field,
                "sort_order": sort_order or ("desc" if descending else "asc")}
    body = [dumps(gd.public(by_serial[k & INDEX_MASK])) for k in page.keys]
    return raw(envelope(key, body, meta))


def _order(req: types.ApiRequest, allowed: tuple[str, ...], default_desc: bool = False) -> tuple[str, bool]:
    field = req.arg("sort_by") or allowed[0]
    field = field if field in allowed else allowed[0]
    order = (req.arg("sort_order") or "").lower()
    return field, (order == "desc") if order in ("asc", "desc") else default_desc


def one(ds: Dataset, stream: str, record_id: str, key: str) -> types.ApiResponse:
    record = gd.guide(ds).tables[stream].get(int(record_id))
    return raw(b'{"' + key.encode() + b'":' + dumps(gd.public(record)) + b"}") if record else not_found()


def _parent(ds: Dataset, stream: str, record_id: str) -> dict | None:
    return gd.guide(ds).tables[stream].get(int(record_id))


# -- Help Center ------------------------------------------------------------------------------------------------------
_CONTAINER_SORTS = ("position", "created_at", "updated_at")
_ARTICLE_SORTS = ("position", "title", "created_at", "updated_at", "edited_at")
_COMMENT_SORTS = ("created_at", "updated_at")


def categories(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
    return _serve(req, "categories", list(gd.guide(ds).tables["categories"].values()), *_order(req, _CONTAINER_SORTS))


def sections(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
    g = gd.guide(ds)
    if args:
        if _parent(ds, "categories", args[0]) is None:
            return not_found()
        records = g.children("sections", int(args[0]))
    else:
        records = list(g.tables["sections"].values())
    return _serve(req, "sections", records, *_order(req, _CONTAINER_SORTS))


def articles(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...], within: str = "") -> types.ApiResponse:
    g = gd.guide(ds)
    records = list(g.tables["articles"].values())
    if within == "section":
        if _parent(ds, "sections", args[0]) is None:
            return not_found()
        records = g.children("articles", int(args[0]))
    elif within == "category":
        if _parent(ds, "categories", args[0]) is None:
            return not_found()
        inside = {s["id"] for s in g.children("sections", int(args[0]))}
        records = [a for a in records if a["section_id"] in inside]
    return _serve(req, "articles", records, *_order(req, _ARTICLE_SORTS))


def article_children(stream: str, key: str) -> Callable:
    """Attachments, comments or votes of one article (404 when the article does not exist)."""
    def handler(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
        if _parent(ds, "articles", args[0]) is None:
            return not_found()
        records = gd.guide(ds).children(stream, int(args[0]))
        if stream == "article_attachments":
            body = [dumps(gd.public(r)) for r in records]
            return raw(envelope(key, body, {"next_page": None, "previous_page": None, "count": len(body)}))
        if stream == "article_comments":
            return _serve(req, key, records, *_order(req, _COMMENT_SORTS))
        return _serve(req, key, records, "created_at", False)
    return handler


def comment_votes(parent_stream: str, comment_stream: str, vote_stream: str) -> Callable:
    """Votes of one comment of one article (or post); 404 unless the comment belongs to it."""
    key = gd.PARENT_OF[comment_stream][1]

    def handler(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
        comment = _parent(ds, comment_stream, args[1])
        if comment is None or comment[key] != int(args[0]):
            return not_found()
        return _serve(req, "votes", gd.guide(ds).children(vote_stream, comment["id"]), "created_at", False)
    return handler


def comment(comment_stream: str) -> Callable:
    key = gd.PARENT_OF[comment_stream][1]

    def handler(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
        record = _parent(ds, comment_stream, args[1])
        if record is None or record[key] != int(args[0]):
            return not_found()
        return raw(b'{"comment":' + dumps(gd.public(record)) + b"}")
    return handler


def vote(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
    g = gd.guide(ds)
    for stream in gd.VOTE_ITEMS:
        record = g.tables[stream].get(int(args[0]))
        if record:
            return raw(b'{"vote":' + dumps(gd.public(record)) + b"}")
    return not_found()


def incremental_articles(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
    value = (req.arg("start_time") or "").strip()
    if not value.lstrip("-").isdigit():
        return invalid("start_time is required: a Unix epoch time in seconds")
    start = int(value)
    size = int_arg(req, "per_page", EXPORT_PAGE, 1, EXPORT_PAGE)
    records = sorted((r for r in gd.guide(ds).tables["articles"].values() if r["_updated"] > start),
                     key=lambda r: (r["_updated"], r["id"]))
    stop = min(size, len(records))
    while 0 < stop < len(records) and records[stop]["_updated"] == records[stop - 1]["_updated"]:
        stop += 1  # the whole last second
    page = records[:stop]
    end = page[-1]["_updated"] if page else start
    next_page = link(req, "help_center/incremental/articles", carried(req, ("start_time",)) + [("start_time", end)])
    body = [dumps(gd.public(r)) for r in page]
    return raw(envelope("articles", body, {"count": len(body), "end_time": end,
                                           "next_page": next_page if page else None}))


def attachment_file(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
    record = gd.guide(ds).tables["article_attachments"].get(int(args[0]))
    if record is None:
        return not_found()
    return types.ApiResponse(200, gd.attachment_bytes(record), {"Content-Type": record["content_type"]})


# -- community ----------------------------------------------------------------------------------------------------------
_POST_SORTS = ("created_at", "updated_at", "edited_at", "recent_activity", "votes", "comments")
_POST_FILTERS = ("planned", "not_planned", "completed", "answered", "none")


def topics(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
    return _serve(req, "topics", list(gd.guide(ds).tables["topics"].values()), *_order(req, _CONTAINER_SORTS))


def posts(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
    g = gd.guide(ds)
    if args:
        if _parent(ds, "topics", args[0]) is None:
            return not_found()
        records = g.children("posts", int(args[0]))
    else:
        records = list(g.tables["posts"].values())
    status = req.arg("filter_by")
    if status in _POST_FILTERS:
        records = [p for p in records if p["status"] == status]
    field, descending = _order(req, _POST_SORTS, default_desc=True)
    return _serve(req, "posts", records, field, descending)


def post_children(stream: str) -> Callable:
    def handler(ds: Dataset, req: types.ApiRequest, args: tuple[str, ...]) -> types.ApiResponse:
        if _parent(ds, "posts", args[0]) is None:
            return not_found()
        records = gd.guide(ds).children(stream, int(args[0]))
        if stream == "post_comments":
            return _serve(req, "comments", records, *_order(req, _COMMENT_SORTS))
        return _serve(req, "votes", records, "created_at", False)
    return handler


Route = Callable[[Dataset, types.ApiRequest, tuple[str, ...]], types.ApiResponse]
HC = "help_center/" + LOC
