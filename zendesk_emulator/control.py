"""`/_emulator/...` routes: look inside and steer the running emulator (no auth, no faults, not counted).

GET  health                     {"status": "ok", "subdomain", "now"}
GET  stats                      {"requests_total", "by_endpoint": {"GET /api/v2/...": n}, "by_route": {"GET tickets/{id}": n},
                                "by_status", "by_fault", "by_minute": [{"minute": <unix start of the emulated minute>,
                                "requests": n, "exports": n}]} (by_minute: what the rate limits counted, minute by minute,
                                so a test or a benchmark sees the share of the limits a client held in every minute)
POST stats/reset                zero the stats and restart every route's fault draw (same seed, same faults)
GET  truth/<resource>           account.truth(resource) as a JSON array (404 for an unknown resource; [] for a
                                Help Center or community stream while the setting turns it off)
POST mutate                     {"resource", "create", "update", "delete", "deactivate"} -> account.mutate(...) summary
                                ("deactivate": custom field lists only)
GET  settings / PUT settings    the runtime settings (settings.py); PUT takes a partial object, 400 on bad values
GET  clock                      {"now", "time_scale"}
POST clock/advance              {"seconds": n}: jump emulated time forward (lets a rate-limit minute pass)
GET  info                       what --info-file holds
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zendesk_emulator.resources.registry import GUIDE_OF_TRUTH
from zendesk_emulator.settings import SettingsError
from zendesk_emulator.types import ApiResponse

if TYPE_CHECKING:
    from zendesk_emulator.emulator import Emulator


class _BadRequest(Exception):
    pass


def _ok(payload: Any, status: int = 200) -> ApiResponse:
    return ApiResponse(status, json.dumps(payload, default=str).encode())


def _error(status: int, message: str) -> ApiResponse:
    return _ok({"error": message}, status)


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except json.JSONDecodeError as error:
        raise _BadRequest(f"body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise _BadRequest("body must be a JSON object")
    return data


def _count(data: dict[str, Any], name: str) -> int:
    value = data.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _BadRequest(f"{name} must be an integer >= 0, got {value!r}")
    return value


def _health(emu: Emulator, arg: str, body: bytes) -> ApiResponse:
    return _ok({"status": "ok", "subdomain": emu.account.subdomain, "now": emu.clock.now()})


def _stats(emu: Emulator, arg: str, body: bytes) -> ApiResponse:
    return _ok({**emu.stats.snapshot(), "by_minute": emu.limiter.by_minute()})


def _stats_reset(emu: Emulator, arg: str, body: bytes) -> ApiResponse:
    emu.stats.reset()
    emu.limiter.forget_history()
    emu.faults.reset()
    return _stats(emu, arg, body)


def _truth(emu: Emulator, resource: str, body: bytes) -> ApiResponse:
    if emu.settings.turned_off(GUIDE_OF_TRUTH.get(resource)):
        return _ok([])  # Help Center (or community) off: a complete sync holds nothing
    try:
        records = emu.account.truth(resource)
    except (KeyError, ValueError, LookupError):
        return _error(404, f"unknown resource {resource!r}")
    return _ok(records)


def _mutate(emu: Emulator, arg: str, body: bytes) -> ApiResponse:
    data = _json_body(body)
    unknown = set(data) - {"resource", "create", "update", "delete", "deactivate"}
    if unknown:
        raise _BadRequest(f"unknown keys: {', '.join(sorted(unknown))}")
    resource = data.get("resource")
    if not isinstance(resource, str) or not resource:
        raise _BadRequest("resource must be a resource name, e.g. \"tickets\"")
    counts = {name: _count(data, name) for name in ("create", "update", "delete", "deactivate")}
    try:
        summary = emu.account.mutate(resource, **counts)
    except (KeyError, LookupError):
        return _error(404, f"unknown resource {resource!r}")
    except ValueError as error:
        raise _BadRequest(str(error)) from None
    return _ok(summary)


def _get_settings(emu: Emulator, arg: str, body: bytes) -> ApiResponse:
    data = emu.settings.to_json()
    data["fault_sequence"] = emu.faults.pending_sequences()
    return _ok(data)


def _put_settings(emu: Emulator, arg: str, body: bytes) -> ApiResponse:
    try:
        emu.update_settings(_json_body(body))
    except SettingsError as error:
        raise _BadRequest(str(error)) from None
    return _get_settings(emu, arg, body)


def _clock(emu: Emulator, arg: str, body: bytes) -> ApiResponse:
    return _ok({"now": emu.clock.now(), "time_scale": emu.clock.time_scale})


def _clock_advance(emu: Emulator, arg: str, body: bytes) -> ApiResponse:
    seconds = _json_body(body).get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise _BadRequest(f"seconds must be a number >= 0, got {seconds!r}")
    emu.clock.advance(seconds)
    return _clock(emu, arg, body)


def _info(emu: Emulator, arg: str, body: bytes) -> ApiResponse:
    return _ok(emu.info)


Handler = Callable[["Emulator", str, bytes], ApiResponse]
_ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "health"): _health,
    ("GET", "stats"): _stats,
    ("POST", "stats/reset"): _stats_reset,
    ("POST", "mutate"): _mutate,
    ("GET", "settings"): _get_settings,
    ("PUT", "settings"): _put_settings,
    ("PATCH", "settings"): _put_settings,
    ("GET", "clock"): _clock,
    ("POST", "clock/advance"): _clock_advance,
    ("GET", "info"): _info,
}


def handle(emu: Emulator, method: str, route: str, query: str, body: bytes) -> ApiResponse:
    route = route.strip("/")
    handler = _ROUTES.get((method, route))
    arg = ""
    if handler is None and method == "GET" and route.startswith("truth/"):
        handler, arg = _truth, route[len("truth/") :]
    if handler is None:
        known = sorted(f"{m} /_emulator/{r}" for m, r in _ROUTES) + ["GET /_emulator/truth/<resource>"]
        return _ok({"error": f"no control route {method} /_emulator/{route}", "routes": known}, 404)
    try:
        return handler(emu, arg, body)
    except _BadRequest as error:
        return _error(400, str(error))
