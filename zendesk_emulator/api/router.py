"""Which handler answers a request: paths under /api/v2/, `.json` optional (Zendesk accepts both), GET only.

Each route has a stable name (used by the transport for per-endpoint faults, plan rules and stats). The routes are
the resources' (resources/): each declares its own.
"""

from __future__ import annotations

from .. import types
from ..data.dataset import Dataset
from ..resources.declaration import Call, Handler
from ..resources.registry import API_ROUTES, FILE_ROUTES
from .http import BadParameter, ok

PREFIX = "/api/v2/"


def normalize(path: str) -> str | None:
    """`/api/v2/tickets/12.json` -> `tickets/12`; None outside the API."""
    if not path.startswith(PREFIX):
        return None
    rest = path[len(PREFIX):].rstrip("/")
    return rest[:-5] if rest.endswith(".json") else rest


def match(method: str, path: str) -> tuple[str, Handler, tuple[str, ...]] | None:
    if method.upper() not in ("GET", "HEAD"):
        return None
    rest, routes = normalize(path), API_ROUTES
    if rest is None:
        if not path.startswith("/hc/"):
            return None
        rest, routes = path[1:].rstrip("/"), FILE_ROUTES
    for route, pattern in routes:
        found = pattern.match(rest)
        if found:
            return route.name, route.handler, found.groups()
    return None


def dispatch(ds: Dataset, req: types.ApiRequest, now: float) -> types.ApiResponse | None:
    found = match(req.method, req.path)
    if found is None:
        return None
    _, handler, args = found
    try:
        return handler(Call(ds, req, now, args))
    except BadParameter as bad:
        return bad.response


__all__ = ["dispatch", "match", "normalize", "ok"]
