"""Cursor-based incremental export (tickets, users): `start_time` first, then `cursor` alone.

Response: `after_cursor`, `after_url`, `before_cursor`, `before_url`, `end_of_stream`; up to `per_page` (max and
default 1000) records ordered by (timestamp, id). The cursor looks like Zendesk's: base64 of `"<ts>.0||<index>|"`
after a record and `"|<ts>.0||<index>"` before one. `end_of_stream` is true once the page reaches the newest record
outside the excluded last minute; `after_cursor` then still marks the position, so polling it later returns only
what changed since. A page may be empty with `end_of_stream: true` and the same cursor.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from ..data.order import INDEX_MASK, View
from ..types import ApiRequest
from .export_rules import cutoff, start_time
from .http import BadParameter, carried, int_arg, invalid, link

MAX_PER_PAGE = 1000


def _encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def after_token(key: int) -> str:
    return _encode(f"{key >> 32}.0||{key & INDEX_MASK}|")


def before_token(key: int) -> str:
    return _encode(f"|{key >> 32}.0||{key & INDEX_MASK}")


def _before_all(ts: int) -> str:
    """A cursor placed before every record stamped `ts` or later (an empty first page)."""
    return _encode(f"{ts}.0|||")


def parse(token: str) -> tuple[str, int]:
    """('after'|'before', position key); 'after' keys with an empty index mean "before every record at ts"."""
    try:
        text = base64.b64decode(token.encode() + b"=" * (-len(token) % 4), validate=False).decode()
        before = text.startswith("|")
        parts = text.strip("|").split("|")
        ts = int(float(parts[0]))
        index = parts[2] if len(parts) > 2 else ""
        if before:
            return "before", (ts << 32) | int(index)
        return ("after", (ts << 32) | int(index)) if index else ("start", ts << 32)
    except (ValueError, IndexError, UnicodeDecodeError):
        raise BadParameter(invalid("Invalid cursor")) from None


@dataclass
class ExportPage:
    keys: list[int]
    after_cursor: str | None
    before_cursor: str | None
    end_of_stream: bool


def page(req: ApiRequest, view: View, now: float) -> ExportPage:
    per_page = int_arg(req, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
    newest = cutoff(now)
    limit = view.position_of((newest + 1) << 32)
    token = req.arg("cursor")
    if token:
        kind, key = parse(token)
    else:
        kind, key = "start", start_time(req, now) << 32
    if kind == "before":
        stop = min(view.position_of(key), limit)
        start = max(0, stop - per_page)
    else:
        start = view.position_of(key) if kind == "start" else view.position_after(key)
        stop = min(limit, start + per_page)
    keys = view.slice(start, stop) if start < stop else []
    if keys:
        after = after_token(keys[-1])
        before = before_token(keys[0])
    else:
        after = token if token and kind != "before" else _before_all(key >> 32)
        before = None
    return ExportPage(keys, after, before, end_of_stream=max(start, stop) >= limit)


def links(req: ApiRequest, path: str, result: ExportPage) -> dict:
    """A cursor export page's links and end, as every cursor export writes them (the query's own cursor and
    start_time replaced, its other parameters carried)."""
    keep = carried(req, ("cursor", "start_time"))
    return {
        "after_url": link(req, path, [("cursor", result.after_cursor)] + keep) if result.after_cursor else None,
        "after_cursor": result.after_cursor,
        "before_url": link(req, path, [("cursor", result.before_cursor)] + keep) if result.before_cursor else None,
        "before_cursor": result.before_cursor,
        "end_of_stream": result.end_of_stream,
    }
