"""Offset pagination (`page`, `per_page`): `next_page`, `previous_page` and `count` of the whole list.

`per_page` is clamped to 1..100. Since 2024 Zendesk refuses offset requests beyond the first 10,000 records (100
pages) with 400 `{"errors": [{"code": "InvalidPaginationDepth", ...}]}`; the title is the one clients have logged,
the detail wording is ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data.order import View
from ..types import ApiRequest
from .http import BadParameter, carried, int_arg, link, pagination_error

MAX_PER_PAGE = 100
MAX_PAGE = 100


@dataclass
class OffsetPage:
    keys: list[int]
    meta: dict


def page(req: ApiRequest, view: View, path: str, default_per_page: int = MAX_PER_PAGE) -> OffsetPage:
    per_page = int_arg(req, "per_page", default_per_page, 1, MAX_PER_PAGE)
    number = int_arg(req, "page", 1, 1, 1 << 31)
    if number > MAX_PAGE:
        raise BadParameter(pagination_error(
            "InvalidPaginationDepth",
            "Pagination requests using Offset Pagination are limited to page 100 or up to 10000 records (page * per_page)",
            "There are limits to how deep you can paginate using offset pagination. Use cursor pagination instead: "
            "https://developer.zendesk.com/api-reference/introduction/pagination/#using-cursor-pagination",
        ))
    start = (number - 1) * per_page
    keys = view.slice(start, start + per_page)
    total = len(view)
    base = carried(req, ("page", "per_page"))
    has_next = start + per_page < total  # on page 100 this still points at page 101, which Zendesk refuses
    meta = {
        "next_page": link(req, path, base + [("page", number + 1), ("per_page", per_page)]) if has_next else None,
        "previous_page": link(req, path, base + [("page", number - 1), ("per_page", per_page)]) if number > 1 else None,
        "count": total,
    }
    return OffsetPage(keys, meta)
