"""Building responses: JSON bodies (records arrive already serialised), absolute links, parameters, Zendesk errors.

Error bodies follow the shapes Zendesk uses: `{"error": "RecordNotFound", "description": "Not found"}` for a missing
record, `{"error": "InvalidValue", "description": ...}` for a bad export parameter, and the `errors` array with a
`code` for pagination problems (`InvalidPaginationDepth` is what offset pagination past page 100 returns).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from ..data.serial import dumps
from ..types import ApiRequest, ApiResponse

JSON = {"Content-Type": "application/json; charset=utf-8"}


def ok(body: dict | list, status: int = 200) -> ApiResponse:
    return ApiResponse(status, dumps(body), dict(JSON))


def raw(body: bytes, status: int = 200) -> ApiResponse:
    return ApiResponse(status, body, dict(JSON))


def error(status: int, body: dict) -> ApiResponse:
    return ApiResponse(status, dumps(body), dict(JSON))


def not_found() -> ApiResponse:
    return error(404, {"error": "RecordNotFound", "description": "Not found"})


def invalid(description: str, status: int = 400) -> ApiResponse:
    return error(status, {"error": "InvalidValue", "description": description})


def pagination_error(code: str, title: str, detail: str) -> ApiResponse:
    return error(400, {"errors": [{"code": code, "title": title, "detail": detail}]})


class BadParameter(Exception):
    """Raised by parameter parsing; the router turns it into the response it carries."""

    def __init__(self, response: ApiResponse):
        super().__init__(response.status)
        self.response = response


def envelope(key: str, records: list, meta: dict | None = None, extra: bytes = b"") -> bytes:
    """`{"<key>": [records...], <meta...>}` without re-serialising the records, copying each byte once.

    A record is bytes, or a tuple of bytes-like pieces (a memoryview slice of a cached record plus appended fields).
    `extra` is a raw `,"k":v` tail.
    """
    parts: list = [b'{"', key.encode(), b'":[']
    for position, record in enumerate(records):
        if position:
            parts.append(b",")
        if type(record) is tuple:
            parts.extend(record)
        else:
            parts.append(record)
    parts.append(b"]")
    if meta:
        parts.append(b",")
        parts.append(dumps(meta)[1:-1])
    parts.append(extra)
    parts.append(b"}")
    return b"".join(parts)


def link(req: ApiRequest, path: str, params: Sequence[tuple[str, str | int | None]]) -> str:
    query = urlencode([(k, v) for k, v in params if v is not None], safe="[]")
    return f"{req.base_url.rstrip('/')}/api/v2/{path}.json" + (f"?{query}" if query else "")


def carried(req: ApiRequest, drop: tuple[str, ...]) -> list[tuple[str, str]]:
    """The request's parameters minus the pagination ones: filters given on the first request survive in links.

    A repeated parameter keeps its last value (a client that adds its parameters to a link repeats them), except an
    array parameter (`name[]`, e.g. audit logs' `filter[created_at][]` start and end): its distinct non-empty
    values, in order.
    """
    out: list[tuple[str, str]] = []
    for k, values in req.query.items():
        if k in drop:
            continue
        out.extend((k, v) for v in (dict.fromkeys(v for v in values if v) if k.endswith("[]") else values[-1:]))
    return out


def int_arg(req: ApiRequest, name: str, default: int, low: int, high: int) -> int:
    """Zendesk clamps page sizes into range rather than rejecting them; a non-number counts as absent."""
    value = req.arg(name)
    if value is None or not value.strip().lstrip("-").isdigit():
        return default
    return max(low, min(high, int(value)))


def flag(req: ApiRequest, name: str, default: bool = False) -> bool:
    value = req.arg(name)
    if value is None:
        return default
    return value.strip().lower() in ("true", "1", "yes")
