"""Pacing requests to Zendesk's per-minute limits, so a sync waits for the next minute instead of running into 429s.

Zendesk counts requests per minute in two buckets
(https://developer.zendesk.com/api-reference/introduction/rate-limits/):

- every request, against the account's limit (200 to 2,500 a minute by plan). Responses report it:
  `X-Rate-Limit` (the limit), `X-Rate-Limit-Remaining`, and `ratelimit-reset` (seconds until the count restarts).
- incremental-export requests, against 10 a minute (30 with the High Volume add-on, whose accounts report an
  account limit of 2,500). No header reports this count, so the pacer keeps it itself.

One `Pacer` serves every stream of a sync (they spend the same account's budget). The CDK's HTTP session asks it
before every request it sends, retries included, and tells it every response
(`airbyte_cdk.sources.streams.call_rate.LimiterMixin`), so all traffic goes through it.

The minute: Zendesk computes `ratelimit-reset: r` (whole seconds, rounded up) when the request arrives, so for a
request sent at `t` the minute ends at or just before `t + r`; the earliest such estimate is kept. (Taking the time
the response came back instead would put the end too late by the time Zendesk took to build the page.) The new minute
is entered `MARGIN` after the estimate, for the request's travel time; an export request sent within the rounding
and that margin of the estimated end may count in either minute at Zendesk, so it is counted in both. Without the
header the export count falls back to a sliding minute (at most `limit` export requests in any 60 seconds), which is
safe whatever Zendesk's windows are.

A 429 can still come (another client spending the same budget): the CDK waits its Retry-After before retrying that
request, and the pacer holds every other request of the same bucket until then, so the streams do not collect one
429 each.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from airbyte_cdk.sources.streams.call_rate import AbstractAPIBudget

from .errors import retry_after
from .waits import Waits

MINUTE = 60.0
EXPORT_LIMIT = 10
HIGH_VOLUME_EXPORT_LIMIT = 30
HIGH_VOLUME_ACCOUNT_LIMIT = 2500
# An account limit this high is no Zendesk plan (test servers report one when they enforce none): nothing to pace.
NO_LIMIT_ABOVE = 100_000
# Requests other workers may have in flight when a response says how many remain: never spend those.
ACCOUNT_RESERVE = 12
HEADER_ROUNDING = 1.0  # ratelimit-reset is in whole seconds, rounded up
MARGIN = 0.25  # seconds: a request's travel time to Zendesk, when deciding which minute it lands in

Token = tuple[Any, ...]  # which wait a caller was asked to do, so that it can be marked done


def is_export(url: str) -> bool:
    return urlsplit(url).path.startswith("/api/v2/incremental/")


class Pacer(AbstractAPIBudget):
    def __init__(self, waits: Waits, logger: logging.Logger, clock: Callable[[], float] = time.monotonic) -> None:
        self._waits, self._logger, self._clock = waits, logger, clock
        self._lock = threading.Lock()
        self._window_end: float | None = None  # estimated end of Zendesk's current minute (clock time)
        self._exports: deque[float] = deque()  # send times of the export requests counted against the limit
        self._remaining: int | None = None  # account requests left this minute, as last reported
        self._account_limit: int | None = None
        self._blocked: dict[str, tuple[float, int]] = {}  # bucket -> (until, id of the request that got the 429)
        self._sent: dict[int, float] = {}  # id of a request in flight -> when it was let go

    # -- the CDK's budget interface --------------------------------------------------------------------------------
    def acquire_call(self, request: Any, block: bool = True, timeout: float | None = None) -> None:
        export = is_export(request.url)
        while True:
            wait, reason, token = self._try_acquire(export, id(request))
            if wait <= 0:
                self._sent[id(request)] = self._clock()
                return
            self._waits.pause(wait, self._logger, reason)
            self._waited(token)

    def get_matching_policy(self, request: Any) -> None:
        return None

    def update_from_response(self, request: Any, response: Any) -> None:
        if not isinstance(response, requests.Response):
            return
        headers = response.headers
        now = self._clock()
        sent = self._sent.pop(id(request), now)
        with self._lock:
            self._account_limit = _int(headers.get("X-Rate-Limit")) or self._account_limit
            reset = _int(headers.get("ratelimit-reset"))
            if reset is not None:
                estimate = sent + reset
                if self._window_end is None:
                    self._window_end = estimate  # the requests counted so far may all be in this minute: kept
                elif estimate > self._window_end + HEADER_ROUNDING + MARGIN:
                    self._start_window(estimate)  # a later minute than the one we thought we were in
                elif estimate < self._window_end:
                    self._window_end = estimate
            remaining = _int(headers.get("X-Rate-Limit-Remaining"))
            if remaining is not None:
                self._remaining = remaining
            if response.status_code == 429:
                bucket = "export" if is_export(request.url) else "account"
                self._blocked[bucket] = (now + retry_after(headers), id(request))

    # -- bookkeeping ---------------------------------------------------------------------------------------------------
    def export_limit(self) -> int | None:
        if self._account_limit is not None and self._account_limit > NO_LIMIT_ABOVE:
            return None
        if self._account_limit is not None and self._account_limit >= HIGH_VOLUME_ACCOUNT_LIMIT:
            return HIGH_VOLUME_EXPORT_LIMIT
        return EXPORT_LIMIT

    def _try_acquire(self, export: bool, request_id: int) -> tuple[float, str, Token]:
        """(0, ...) once the request may go (it is counted then); else how long to wait, why, and a token for
        `_waited`."""
        now = self._clock()
        with self._lock:
            if self._window_end is not None and now >= self._window_end + MARGIN:
                self._start_window(None)
            for bucket in ("export", "account") if export else ("account",):
                until, exempt = self._blocked.get(bucket, (0.0, 0))
                if now < until and request_id != exempt:
                    return until - now, "Zendesk answered 429: holding requests until its Retry-After", (
                        "blocked", bucket, until)
            limit = self.export_limit()
            if export and limit is not None:
                if self._window_end is None:
                    while self._exports and self._exports[0] <= now - MINUTE:
                        self._exports.popleft()
                if len(self._exports) >= limit:
                    end = self._window_end + MARGIN if self._window_end is not None else self._exports[0] + MINUTE
                    return end - now, f"Pacing to Zendesk's limit of {limit} export requests a minute", ("minute", end)
            limited = self._account_limit is not None and self._account_limit <= NO_LIMIT_ABOVE
            if limited and self._remaining is not None and self._remaining <= ACCOUNT_RESERVE \
                    and self._window_end is not None:
                end = self._window_end + MARGIN
                return end - now, f"Pacing to the account's limit of {self._account_limit} requests a minute", (
                    "minute", end)
            if export and limit is not None:
                self._exports.append(now)
            if self._remaining is not None:
                self._remaining -= 1
            return 0.0, "", ()

    def _waited(self, token: Token) -> None:
        """The wait `token` stood for is over. Also true when the clock did not move (tests replace sleep), which
        keeps a waiting request from waiting twice for the same reason."""
        with self._lock:
            if token[0] == "blocked" and self._blocked.get(token[1], (None,))[0] == token[2]:
                del self._blocked[token[1]]
            elif token[0] == "minute":
                if self._window_end is not None and self._window_end + MARGIN <= token[1]:
                    self._start_window(None)
                elif self._window_end is None:
                    while self._exports and self._exports[0] + MINUTE <= token[1]:
                        self._exports.popleft()

    def _start_window(self, end: float | None) -> None:
        """The minute that ended at `_window_end` is over: only export requests sent within the rounding of its end
        may count in the new one."""
        assert self._window_end is not None
        boundary = self._window_end - HEADER_ROUNDING - MARGIN
        while self._exports and self._exports[0] < boundary:
            self._exports.popleft()
        self._window_end, self._remaining = end, None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value.split(",")[0])) if value else None
    except ValueError:
        return None
