"""The account-wide ticket audit list's own cursor (`cursor`, `limit`): newest first.

Response: `audits`, `before_cursor`/`before_url` (older audits, which the official Airbyte connector follows until
a page is empty or the link is null) and `after_cursor`/`after_url` (newer audits). `limit` defaults to and is
capped at 1000 (Zendesk's sample after_url carries limit=1000; the Airbyte connector sends 200). Cursor tokens use
the same format as the export cursor. `before_url` is null on the page holding the oldest audit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data.order import View
from ..types import ApiRequest
from .export_cursor import after_token, before_token, parse
from .http import BadParameter, int_arg, invalid

MAX_LIMIT = 1000


@dataclass
class AuditPage:
    keys: list[int]
    after_cursor: str | None
    before_cursor: str | None
    limit: int


def page(req: ApiRequest, view: View) -> AuditPage:
    """`view` iterates newest first; "before" moves towards older audits, "after" towards newer ones."""
    limit = int_arg(req, "limit", MAX_LIMIT, 1, MAX_LIMIT)
    token = req.arg("cursor")
    start = 0
    if token:
        kind, key = parse(token)
        if kind == "before":
            start = view.position_after(key)
        elif kind == "after":
            start = max(0, view.position_of(key) - limit)
            stop = view.position_of(key)
            keys = view.slice(start, stop)
            return _result(view, keys, start + len(keys), limit)
        else:
            raise BadParameter(invalid("Invalid cursor"))
    keys = view.slice(start, start + limit)
    return _result(view, keys, start + len(keys), limit)


def _result(view: View, keys: list[int], stop: int, limit: int) -> AuditPage:
    if not keys:
        return AuditPage([], None, None, limit)
    older = stop < len(view)
    return AuditPage(keys, after_token(keys[0]), before_token(keys[-1]) if older else None, limit)
