"""Failures the real Zendesk path (Cloudflare/nginx/Envoy edges, then the app) produces, injected deterministically.

Which request fails depends only on the seed, the route name and how many requests that route has seen:
the n-th request of a route draws `hash(seed, route, n)` in [0, 1) and compares it with that route's rates.
An explicit `fault_sequence` (consumed first) makes tests exact. A drawn "429" starts a burst: that route's next
`burst_length - 1` requests are 429s too, so with 429 in the mix the failing share is a little above the rates
(`fault_rate` 0.1 with bursts of 3 fails about 12% of responses).

What each kind puts on the wire (the transport executes the last four):
  500         JSON {"error":"InternalError",...}, Content-Length correct, connection kept
  502, 503    nginx-style HTML error page (text/html)
  504         plain text "upstream request timeout" (what Envoy answers when an export page takes too long)
  504_html    nginx-style HTML "504 Gateway Time-out" page
  429         Retry-After + rate-limit headers; body as Zendesk sends it for the route: JSON APIRateLimitExceeded
              for incremental exports, plain text "Number of allowed API requests per minute exceeded" otherwise
  reset       status line + headers with the full Content-Length, half the body, then TCP RST
  truncate    headers without Content-Length ("Connection: close"), half the body, then a clean close:
              the client sees a 200 whose JSON does not parse
  incomplete  headers with the full Content-Length, half the body, then a clean close (IncompleteRead)
  slow        the normal response, sent after `slow_seconds` (longer than a typical client timeout)

Besides these draws, `page_timeouts` makes an incremental export answer the plain-text 504 whenever a request asks
for a page larger than the route's `over` records (its `per_page` or `page[size]`, else the export's default of
1,000), as Zendesk's edge does when an export page takes too long to build: every time, or only the route's first
`times` such requests (a timeout that passes, for exports that take no page size).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict, deque

from zendesk_emulator.ratelimit import ACCOUNT_LIMIT_BODY, EXPORT_LIMIT_BODY
from zendesk_emulator.settings import FAULT_KINDS, NO_FAULT, Settings
from zendesk_emulator.types import ApiResponse

WIRE_KINDS = frozenset({"reset", "truncate", "incomplete", "slow"})
ANY_ROUTE = "*"
DEFAULT_EXPORT_PAGE = 1000  # what an export page holds when the request names no size
_SIZE_PARAMS = ("per_page", "page[size]")

_HTML = "text/html; charset=utf-8"


def _nginx_page(status: int, reason: str) -> bytes:
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


_STATUS_FAULTS: dict[str, tuple[int, bytes, str]] = {
    "500": (
        500,
        json.dumps({"error": "InternalError", "description": "Something went wrong. Please try again later."}).encode(),
        "application/json; charset=utf-8",
    ),
    "502": (502, _nginx_page(502, "Bad Gateway"), _HTML),
    "503": (503, _nginx_page(503, "Service Temporarily Unavailable"), _HTML),
    "504": (504, b"upstream request timeout", "text/plain"),
    "504_html": (504, _nginx_page(504, "Gateway Time-out"), _HTML),
}


def status_fault(kind: str, is_export: bool, rate_headers: dict[str, str], retry_after: int) -> ApiResponse:
    """The response of a fault kind that is a plain HTTP answer (everything but WIRE_KINDS)."""
    if kind == "429":
        headers = dict(rate_headers, **{"Retry-After": str(retry_after), "X-Rate-Limit-Remaining": "0",
                                        "ratelimit-remaining": "0"})
        if is_export:
            return ApiResponse(429, EXPORT_LIMIT_BODY, headers)
        return ApiResponse(429, ACCOUNT_LIMIT_BODY, dict(headers, **{"Content-Type": "text/plain; charset=utf-8"}))
    status, body, content_type = _STATUS_FAULTS[kind]
    return ApiResponse(status, body, {"Content-Type": content_type})


def cut(body: bytes) -> bytes:
    """The part of a body a broken response gets to send: the first half, at least one byte when there is any."""
    return body[: max(1, len(body) // 2)] if body else b""


def asked_page_size(query: dict[str, list[str]]) -> int:
    """How many records an export request asks for: its `per_page` (or `page[size]`), else the default page."""
    for name in _SIZE_PARAMS:
        values = query.get(name)
        if values and values[-1].isdigit():
            return int(values[-1])
    return DEFAULT_EXPORT_PAGE


def draw(seed: int, route: str, n: int) -> float:
    digest = hashlib.blake2b(f"{seed}|{route}|{n}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class FaultPlanner:
    def __init__(self, seed: int):
        self.seed = seed
        self._lock = threading.Lock()
        self._counters: dict[str, int] = defaultdict(int)
        self._bursts: dict[str, int] = defaultdict(int)
        self._sequences: dict[str, deque[str]] = {}
        self._timeouts: dict[str, int] = defaultdict(int)

    def load_sequences(self, sequences: dict[str, tuple[str, ...]]) -> None:
        with self._lock:
            self._sequences = {route: deque(kinds) for route, kinds in sequences.items()}

    def pending_sequences(self) -> dict[str, list[str]]:
        with self._lock:
            return {route: list(kinds) for route, kinds in self._sequences.items() if kinds}

    def reset(self) -> None:
        """Start every route's draw over (same seed, same faults again) and end running 429 bursts."""
        with self._lock:
            self._counters.clear()
            self._bursts.clear()
            self._timeouts.clear()

    def times_out(self, route: str, asked: int, settings: Settings) -> bool:
        """Whether this export request of `route`, asking for `asked` records, gets the page-timeout 504."""
        rule = settings.page_timeouts.get(route) or settings.page_timeouts.get(ANY_ROUTE)
        if rule is None or asked <= rule["over"]:
            return False
        with self._lock:
            if "times" in rule and self._timeouts[route] >= rule["times"]:
                return False
            self._timeouts[route] += 1
        return True

    def pick(self, route: str, settings: Settings) -> str | None:
        """The fault kind for this request of `route`, or None."""
        with self._lock:
            n = self._counters[route]
            self._counters[route] = n + 1
            kind = self._from_sequence(route) or self._from_burst(route)
            if kind is None:
                kind = self._from_rates(route, n, settings)
                if kind == "429" and settings.burst_length > 1:
                    self._bursts[route] = settings.burst_length - 1
        return None if kind in (None, NO_FAULT) else kind

    def _from_sequence(self, route: str) -> str | None:
        for key in (route, ANY_ROUTE):
            queue = self._sequences.get(key)
            if queue:
                return queue.popleft()
        return None

    def _from_burst(self, route: str) -> str | None:
        if self._bursts[route] > 0:
            self._bursts[route] -= 1
            return "429"
        return None

    def _from_rates(self, route: str, n: int, settings: Settings) -> str | None:
        rates = settings.faults.get(route)
        if rates is None:
            rates = settings.faults.get(ANY_ROUTE)
        if rates is None:
            if settings.fault_rate <= 0:
                return None
            share = settings.fault_rate / len(FAULT_KINDS)
            rates = dict.fromkeys(FAULT_KINDS, share)
        u = draw(self.seed, route, n)
        total = 0.0
        for kind, rate in rates.items():
            total += rate
            if u < total:
                return kind
        return None
