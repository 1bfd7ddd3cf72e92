"""A small part of Zendesk search: `type:`, `status:`, `role:` and `created`/`updated` comparisons (`>`, `<`, `>=`,
`<=`, `:`) with dates or ISO times. Free-text words are ignored (every record matches them). Offset pagination only,
and like Zendesk at most 1,000 results: a page beyond that is 422 `{"error": "invalid", ...}`, which zenpy reads as
its SearchResponseLimitExceeded. singer's tap-zendesk calls this during discovery to check access to users.
"""

from __future__ import annotations

import re
import shlex

import numpy as np

from .. import types
from ..data.catalog import public
from ..data.columns import ROLES, STATUSES
from ..data.dataset import Dataset
from ..data.order import INDEX_MASK, View
from ..data.serial import dumps
from ..data.timefmt import parse_iso
from . import offset_pages
from .http import error, int_arg, ok, raw

MAX_RESULTS = 1000
_TERM = re.compile(r"^(created|updated)(>=|<=|>|<|:)(.+)$")
_OPS = {">": np.greater, "<": np.less, ">=": np.greater_equal, "<=": np.less_equal}
_TYPES = ("ticket", "user", "organization", "group")


def _parse(query: str) -> tuple[list[str], list[tuple[str, str, int, bool]], dict[str, str]]:
    try:
        words = shlex.split(query)
    except ValueError:
        words = query.split()
    kinds, times, equals = [], [], {}
    for word in words:
        match = _TERM.match(word)
        if match:
            field, op, value = match.groups()
            day = len(value) == 10
            try:
                times.append((field, op, parse_iso(value), day))
            except ValueError:
                continue
        elif word.startswith("type:"):
            kinds.append(word[5:].lower())
        elif ":" in word:
            key, _, value = word.partition(":")
            equals[key.lower()] = value.lower()
    return [k for k in kinds if k in _TYPES] or list(_TYPES), times, equals


def _time_mask(created: np.ndarray, updated: np.ndarray, times) -> np.ndarray:
    mask = np.ones(len(created), dtype=bool)
    for field, op, value, day in times:
        column = created if field == "created" else updated
        if op == ":":
            mask &= (column >= value) & (column < value + (86400 if day else 1))
        else:
            mask &= _OPS[op](column, value + (86400 if day and op in (">", "<=") else 0) - (1 if day and op == "<=" else 0))
    return mask


def _matches(ds: Dataset, kind: str, times, equals) -> list[bytes] | np.ndarray:
    if kind == "ticket":
        cols = ds.tickets.cols
        mask = (cols.deleted == 0) & (cols.archived == 0) & _time_mask(cols.created, cols.updated, times)
        if "status" in equals and equals["status"] in STATUSES:
            mask &= cols.status == STATUSES.index(equals["status"])
        return np.flatnonzero(mask)
    if kind == "user":
        people = ds.users.cols
        mask = (people.active == 1) & _time_mask(people.created, people.updated, times)
        if "role" in equals and equals["role"] in ROLES:
            mask &= people.role == ROLES.index(equals["role"])
        return np.flatnonzero(mask)
    if kind == "organization":
        orgs = ds.orgs.cols
        return np.flatnonzero((orgs.deleted_at == 0) & _time_mask(orgs.created, orgs.updated, times))
    groups = [g for g in ds.catalog.groups if not g["deleted"]]
    created = np.array([g["_created"] for g in groups], dtype=np.int64)
    updated = np.array([g["_updated"] for g in groups], dtype=np.int64)
    return np.flatnonzero(_time_mask(created, updated, times))


def _render(ds: Dataset, kind: str, index: int) -> bytes:
    if kind == "ticket":
        body = ds.ticket_bytes(index)
    elif kind == "user":
        body = ds.user_bytes(index)
    elif kind == "organization":
        body = ds.org_bytes(index)
    else:
        body = dumps(public([g for g in ds.catalog.groups if not g["deleted"]][index]))
    return body[:-1] + b',"result_type":"' + kind.encode() + b'"}'


def search(ds: Dataset, req: types.ApiRequest, count_only: bool = False) -> types.ApiResponse:
    kinds, times, equals = _parse(req.arg("query", "") or "")
    found = [(kind, _matches(ds, kind, times, equals)) for kind in kinds]
    total = sum(len(m) for _, m in found)
    if count_only:
        return ok({"count": total})
    flat = [(kind, int(i)) for kind, matches in found for i in matches[:MAX_RESULTS]][:MAX_RESULTS]
    per_page = int_arg(req, "per_page", 100, 1, 100)
    if (int_arg(req, "page", 1, 1, 1 << 31) - 1) * per_page >= MAX_RESULTS:
        return error(422, {"error": "invalid", "description": "Invalid search: Requested response size was greater than Search Response Limits"})
    page = offset_pages.page(req, View(np.arange(len(flat), dtype=np.uint64)), "search")
    page.meta["count"] = total
    records = [_render(ds, *flat[k & INDEX_MASK]) for k in page.keys]
    return raw(b'{"results":[' + b",".join(records) + b'],"facets":null,' + dumps(page.meta)[1:])
