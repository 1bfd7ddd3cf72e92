"""Zendesk's per-minute request limits, counted in fixed windows of one emulated minute.

Zendesk resets its counters each minute (its `ratelimit-reset` header counts the seconds to the next reset), so a
fixed window aligned on emulated minutes is both faithful and cheap. Time comes from the emulated `Clock`: with
`time_scale` 60 a window lasts one real second, and `Retry-After` is converted to real seconds for the client.
https://developer.zendesk.com/api-reference/introduction/rate-limits/
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field

from zendesk_emulator.clock import Clock
from zendesk_emulator.types import ApiResponse

WINDOW = 60.0
# What the headers report when the plan has no limit (clients parse these as integers).
UNLIMITED_REPORTED = 1_000_000

ACCOUNT_LIMIT_BODY = b"Number of allowed API requests per minute exceeded"
EXPORT_LIMIT_BODY = json.dumps(
    {"error": "APIRateLimitExceeded", "description": "Number of allowed incremental export API requests per minute exceeded"}
).encode()


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str]
    exceeded: str | None = None  # "account" or "export"
    retry_after: int = 0  # real seconds

    def too_many_requests(self) -> ApiResponse:
        """The 429 Zendesk sends: JSON for the export limit, plain text for the account-wide one."""
        headers = dict(self.headers, **{"Retry-After": str(self.retry_after)})
        if self.exceeded == "export":
            return ApiResponse(429, EXPORT_LIMIT_BODY, headers)
        headers["Content-Type"] = "text/plain; charset=utf-8"
        return ApiResponse(429, ACCOUNT_LIMIT_BODY, headers)


@dataclass
class _Window:
    index: int = -1
    count: int = 0


@dataclass
class RateLimiter:
    clock: Clock
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _account: _Window = field(default_factory=_Window)
    _export: _Window = field(default_factory=_Window)
    # Every emulated minute's counts, kept for `/_emulator/stats` (by_minute): window index -> [requests, exports].
    _history: dict[int, list[int]] = field(default_factory=dict)

    def check(self, account_limit: int | None, export_limit: int | None, is_export: bool, consume: bool = True) -> Decision:
        """Count one request against the account window (and the export window when `is_export`).

        A refused request is not counted. With `consume=False` only the headers are computed (for 401s).
        """
        now = self.clock.now()
        index = math.floor(now / WINDOW)
        reset_virtual = (index + 1) * WINDOW - now
        with self._lock:
            for window in (self._account, self._export):
                if window.index != index:
                    window.index, window.count = index, 0
            exceeded = None
            if consume:
                if account_limit is not None and self._account.count >= account_limit:
                    exceeded = "account"
                elif is_export and export_limit is not None and self._export.count >= export_limit:
                    exceeded = "export"
                else:
                    self._account.count += 1
                    counts = self._history.setdefault(index, [0, 0])
                    counts[0] += 1
                    if is_export:
                        self._export.count += 1
                        counts[1] += 1
            used = self._account.count
        limit = UNLIMITED_REPORTED if account_limit is None else account_limit
        reset = self.clock.real_seconds(reset_virtual)
        remaining = str(max(0, limit - used))
        headers = {
            "X-Rate-Limit": str(limit),
            "X-Rate-Limit-Remaining": remaining,
            "ratelimit-limit": str(limit),
            "ratelimit-remaining": remaining,
            "ratelimit-reset": str(reset),
        }
        if exceeded:
            return Decision(False, headers, exceeded, reset)
        return Decision(True, headers)

    def by_minute(self) -> list[dict[str, int]]:
        """The requests counted against the limits in each emulated minute that had any, oldest first: `minute` is
        the minute's start (unix seconds of the emulated clock), `requests` every counted request (exports
        included), `exports` the incremental-export ones. Refused (429) and unauthenticated requests count in none,
        as in Zendesk's own counters."""
        with self._lock:
            return [{"minute": int(index * WINDOW), "requests": counts[0], "exports": counts[1]}
                    for index, counts in sorted(self._history.items())]

    def forget_history(self) -> None:
        """Start `by_minute` over (the windows that pace requests are left as they are)."""
        with self._lock:
            self._history.clear()
