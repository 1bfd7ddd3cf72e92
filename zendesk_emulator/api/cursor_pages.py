"""Cursor pagination (`page[size]`, `page[after]`, `page[before]`), the style most Zendesk list endpoints offer.

Response: `meta: {has_more, after_cursor, before_cursor}` and `links: {next, prev}`; filters from the first request
are carried in the links. `page[size]` above 100 is clamped to 100 (Zendesk: "Most endpoints limit this to a maximum
of 100"). A cursor is opaque: base64 of the sort key of the first/last record on the page and the name of the
order it belongs to, so it stays valid after records are added or removed. A cursor from another order, or
garbage, is a 400 with Zendesk's `errors` array shape (the exact wording is ours).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from ..data.order import View
from ..types import ApiRequest
from .http import BadParameter, carried, int_arg, link, pagination_error

MAX_SIZE = 100
PAGE_KEYS = ("page[size]", "page[after]", "page[before]")


def wanted(req: ApiRequest) -> bool:
    return any(k in req.query for k in PAGE_KEYS)


def encode(order: str, key: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": order, "v": key}, separators=(",", ":")).encode()).decode()


def decode(order: str, token: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
        if data["o"] == order and isinstance(data["v"], int):
            return data["v"]
    except (ValueError, KeyError, TypeError):
        pass
    raise BadParameter(pagination_error("InvalidPaginationParameter", "Invalid pagination parameter",
                                        "page[after] and page[before] must be cursors returned by this endpoint"))


@dataclass
class CursorPage:
    keys: list[int]
    meta: dict


def page(req: ApiRequest, view: View, order: str, path: str, default_size: int = MAX_SIZE, max_size: int = MAX_SIZE) -> CursorPage:
    size = int_arg(req, "page[size]", default_size, 1, max_size)
    after, before = req.arg("page[after]"), req.arg("page[before]")
    if after and before:
        raise BadParameter(pagination_error("InvalidPaginationParameter", "Invalid pagination parameter",
                                            "page[before] and page[after] can't be used together"))
    if before:
        stop = view.position_of(decode(order, before))
        start = max(0, stop - size)
    else:
        start = view.position_after(decode(order, after)) if after else 0
        stop = min(len(view), start + size)
    keys = view.slice(start, stop)
    more_after, more_before = stop < len(view), start > 0
    after_cursor = encode(order, keys[-1]) if keys else None
    before_cursor = encode(order, keys[0]) if keys else None
    base = carried(req, PAGE_KEYS) + [("page[size]", size)]
    meta = {
        "meta": {"has_more": more_before if before else more_after, "after_cursor": after_cursor, "before_cursor": before_cursor},
        "links": {
            "next": link(req, path, base + [("page[after]", after_cursor)]) if keys and more_after else None,
            "prev": link(req, path, base + [("page[before]", before_cursor)]) if keys and more_before else None,
        },
    }
    return CursorPage(keys, meta)
