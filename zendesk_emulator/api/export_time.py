"""Time-based incremental export (organizations; tickets and users also offer it): `start_time` on every request.

Response: `count`, `end_time`, `next_page` (the same endpoint with `start_time=end_time`), `end_of_stream`.
`start_time` is inclusive and `end_time` is the timestamp of the page's last record, so that record and any sharing
its second come back on the next page (Zendesk: "the exported data may contain duplicate items").

When more records share one second than fit on a page, Zendesk's docs do not say what happens; a client following
`next_page` would be handed the same `start_time` forever. Our choice: a page never ends in the middle of a
second. A full page is extended past `per_page` to include every remaining record of its last second, and when a
page had to be extended, or holds nothing newer than its own `start_time`, `end_time` is that second + 1. Every
record of that second is on the page, so the client neither loops nor loses anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data.order import View
from ..types import ApiRequest
from .export_rules import cutoff, start_time
from .http import int_arg

MAX_PER_PAGE = 1000


@dataclass
class TimePage:
    keys: list[int]
    start_time: int
    end_time: int
    end_of_stream: bool


def page(req: ApiRequest, view: View, now: float, max_per_page: int = MAX_PER_PAGE, enforce_recent: bool = True) -> TimePage:
    per_page = int_arg(req, "per_page", max_per_page, 1, max_per_page)
    since = start_time(req, now, enforce_recent)
    limit = view.position_of((cutoff(now) + 1) << 32)
    start = view.position_of(since << 32)
    stop = min(limit, start + per_page)
    keys = view.slice(start, stop) if start < stop else []
    extended = False
    if keys and stop < limit:
        last_second = keys[-1] >> 32
        boundary = min(limit, view.position_of((last_second + 1) << 32))
        if boundary > stop:
            keys += view.slice(stop, boundary)
            stop, extended = boundary, True
    if not keys:
        return TimePage([], since, since, True)
    last_second = keys[-1] >> 32
    end_of_stream = stop >= limit
    stuck = last_second <= since and not end_of_stream
    end_time = last_second + 1 if extended or stuck else last_second
    return TimePage(keys, since, end_time, end_of_stream)
