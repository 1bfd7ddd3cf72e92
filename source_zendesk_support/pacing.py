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

The minute's end: Zendesk computes `ratelimit-reset: r` (whole seconds, rounded up) when the request arrives, some
time between our sending it (`s`) and the response coming back (`v`). So the minute ends after `s + r - 1` and no
later than `v + r`. The pacer keeps the tightest of these bounds over the minute's responses, and only lets the next
minute's requests go once the upper bound has passed: a request sent then arrives in the new minute however slow
the network or the server is. (Taking `s + r` alone, as an earlier version did, put the end early by the request's
travel time; on a busy server that let an export through a fraction of a second before the reset, and a 429 came
back.) An export request whose response came back after the lower bound may have arrived after the reset, so it is
counted in both minutes, as is one still in flight. Without the header the export count falls back to a sliding
minute (at most `limit` export requests in any 60 seconds), which is safe whatever Zendesk's windows are.

A 429 can still come (another client spending the same budget): the CDK waits its Retry-After before retrying that
request, and the pacer holds every other request of the same bucket until then, so the streams do not collect one
429 each.

A share (`rate_limit_percent` below 100): the account's limit is shared with the agents' apps and integrations, so
the connector may be asked to spend only part of it. The pacer then counts its own requests per Zendesk minute as it
counts exports (the same bounds on the minute's end, the same requests counted in two minutes when they may have
arrived in either), and holds them at that share of `X-Rate-Limit` (at least one a minute); the export limit is
shared the same way. At 100 nothing of this runs: the pacing is exactly what it was before the setting existed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
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
FULL_SHARE = 100  # rate_limit_percent's default: the whole of every limit

Token = tuple[Any, ...]  # which wait a caller was asked to do, so that it can be marked done


def is_export(url: str) -> bool:
    return urlsplit(url).path.startswith("/api/v2/incremental/")


@dataclass
class _Sent:
    """One request counted against a per-minute limit: when it left, and when its response came back."""

    sent: float
    received: float | None = None


class Pacer(AbstractAPIBudget):
    def __init__(self, waits: Waits, logger: logging.Logger, clock: Callable[[], float] = time.monotonic,
                 share: int = FULL_SHARE) -> None:
        """`share`: the percentage of Zendesk's per-minute limits this connector may spend (config.py checks it)."""
        self._waits, self._logger, self._clock = waits, logger, clock
        self._share = share
        self._lock = threading.Lock()
        # Bounds on the end of Zendesk's current minute (clock time): after `_end_low`, no later than `_end_high`.
        self._end_low: float | None = None
        self._end_high: float | None = None
        self._last_end: float | None = None  # `_end_high` of the minute before: responses about it are stale
        self._last_low: float | None = None  # and its lower bound
        self._exports: deque[_Sent] = deque()  # the export requests counted against this minute's limit
        self._requests: deque[_Sent] = deque()  # with a share: all our requests counted against this minute's
        self._remaining: int | None = None  # account requests left this minute, as last reported
        self._account_limit: int | None = None
        self._blocked: dict[str, tuple[float, int]] = {}  # bucket -> (until, id of the request that got the 429)
        # id of a request in flight -> when it went, and where it is counted
        self._sent: dict[int, tuple[float, tuple[_Sent, ...]]] = {}

    # -- the CDK's budget interface --------------------------------------------------------------------------------
    def acquire_call(self, request: Any, block: bool = True, timeout: float | None = None) -> None:
        export = is_export(request.url)
        while True:
            wait, reason, token = self._try_acquire(export, id(request))
            if wait <= 0:
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
        with self._lock:
            sent, counted = self._sent.pop(id(request), (now, ()))
            for entry in counted:
                entry.received = now
            self._account_limit = _int(headers.get("X-Rate-Limit")) or self._account_limit
            reset = _int(headers.get("ratelimit-reset"))
            if reset is not None:
                self._learn_end(sent + reset - HEADER_ROUNDING, now + reset)
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

    def export_budget(self) -> int | None:
        """The export requests this connector may send per Zendesk minute: its share of the limit, at least one."""
        limit = self.export_limit()
        return None if limit is None else _share_of(limit, self._share)

    def account_budget(self) -> int | None:
        """With a share below 100: the requests this connector may send per Zendesk minute, once the account's limit
        is known. None when the whole limit may be spent (then `X-Rate-Limit-Remaining` alone paces)."""
        if self._share >= FULL_SHARE or self._account_limit is None or self._account_limit > NO_LIMIT_ABOVE:
            return None
        return _share_of(self._account_limit, self._share)

    def _counts_own_requests(self) -> bool:
        """Whether every request is counted: with a share, unless the server turned out to have no limit."""
        return self._share < FULL_SHARE and not (self._account_limit is not None and self._account_limit > NO_LIMIT_ABOVE)

    def _learn_end(self, low: float, high: float) -> None:
        """A response says the minute it arrived in ends in (low, high]."""
        if self._last_end is not None and low < self._last_end:
            return  # it arrived in a minute already over (its response came back after we moved on)
        if self._end_high is None:
            self._end_low, self._end_high = low, high
        elif low >= self._end_high:
            self._next_minute()  # a later minute than the one we thought we were in
            self._end_low, self._end_high = low, high
        else:
            self._end_low = low if self._end_low is None else max(self._end_low, low)
            self._end_high = min(self._end_high, high)

    def _try_acquire(self, export: bool, request_id: int) -> tuple[float, str, Token]:
        """(0, ...) once the request may go (it is counted then); else how long to wait, why, and a token for
        `_waited`."""
        now = self._clock()
        with self._lock:
            if self._end_high is not None and now >= self._end_high:
                self._next_minute()
            elif self._unheard_minute_over(now):
                self._next_unheard_minute()
            for bucket in ("export", "account") if export else ("account",):
                until, exempt = self._blocked.get(bucket, (0.0, 0))
                if now < until and request_id != exempt:
                    return until - now, "Zendesk answered 429: holding requests until its Retry-After", (
                        "blocked", bucket, until)
            limit, budget = self.export_limit(), self.export_budget()
            self._forget_sliding(now)
            if export and limit is not None and budget is not None and len(self._exports) >= budget:
                end = self._minute_end(self._exports)
                reason = (f"Pacing to Zendesk's limit of {limit} export requests a minute" if budget == limit else
                          f"Pacing to {budget} of Zendesk's {limit} export requests a minute (rate_limit_percent "
                          f"{self._share})")
                return end - now, reason, ("minute", end)
            own = self.account_budget()
            if own is not None and len(self._requests) >= own:
                end = self._minute_end(self._requests)
                return end - now, (f"Pacing to {own} of the account's {self._account_limit} requests a minute "
                                   f"(rate_limit_percent {self._share})"), ("minute", end)
            limited = self._account_limit is not None and self._account_limit <= NO_LIMIT_ABOVE
            if limited and self._remaining is not None and self._remaining <= ACCOUNT_RESERVE \
                    and self._end_high is not None:
                end = self._end_high
                return end - now, f"Pacing to the account's limit of {self._account_limit} requests a minute", (
                    "minute", end)
            counted: list[_Sent] = []
            if export and limit is not None:
                counted.append(_Sent(now))
                self._exports.append(counted[-1])
            if self._counts_own_requests():
                counted.append(_Sent(now))
                self._requests.append(counted[-1])
            else:
                self._requests.clear()
            if self._remaining is not None:
                self._remaining -= 1
            self._sent[request_id] = (now, tuple(counted))
            return 0.0, "", ()

    def _minute_end(self, counted: deque[_Sent]) -> float:
        """When the minute these requests are counted in is surely over: its upper bound once a response told it;
        else a minute after the minute before ended (no response of this minute came back yet); else, with no
        `ratelimit-reset` ever seen, a minute after the oldest of them (the sliding minute)."""
        if self._end_high is not None:
            return self._end_high
        if self._last_end is not None:
            return self._last_end + MINUTE
        return counted[0].sent + MINUTE

    def _unheard_minute_over(self, now: float) -> bool:
        """Whether a minute no response told about is surely over: Zendesk's minutes last sixty seconds."""
        return self._end_high is None and self._last_end is not None and now >= self._last_end + MINUTE

    def _next_unheard_minute(self) -> None:
        """The minute after the last one heard of is over, its bounds those of the one before plus a minute (the
        requests that waited for it got no response in it to say more)."""
        assert self._last_end is not None
        self._end_high = self._last_end + MINUTE
        self._end_low = (self._last_low if self._last_low is not None else self._last_end - HEADER_ROUNDING) + MINUTE
        self._next_minute()

    def _waited(self, token: Token) -> None:
        """The wait `token` stood for is over. Also true when the clock did not move (tests replace sleep), which
        keeps a waiting request from waiting twice for the same reason."""
        with self._lock:
            if token[0] == "blocked" and self._blocked.get(token[1], (None,))[0] == token[2]:
                del self._blocked[token[1]]
            elif token[0] == "minute":
                if self._end_high is not None and self._end_high <= token[1]:
                    self._next_minute()
                elif self._unheard_minute_over(token[1]):
                    self._next_unheard_minute()
                else:
                    self._forget_sliding(token[1])

    def _forget_sliding(self, now: float) -> None:
        """Without any `ratelimit-reset` seen, the count is a sliding minute: exports sent a minute before `now` are
        out of it."""
        if self._end_high is None and self._last_end is None:
            for counted in (self._exports, self._requests):
                while counted and counted[0].sent + MINUTE <= now:
                    counted.popleft()

    def _next_minute(self) -> None:
        """The minute that ended by `_end_high` is over. A counted request stays counted in the new one unless it
        surely reached Zendesk before the reset: its response came back before the minute's earliest possible end.
        One that never got a response (a timeout, a reset connection) is kept for one minute only: it reached Zendesk
        in the minute it was sent or the next, if at all."""
        assert self._end_high is not None
        low = self._end_low if self._end_low is not None else self._end_high - HEADER_ROUNDING
        started = self._last_end

        def may_count_next(entry: _Sent) -> bool:
            if entry.received is None:
                return started is None or entry.sent >= started
            return entry.received > low

        self._exports = deque(e for e in self._exports if may_count_next(e))
        self._requests = deque(e for e in self._requests if may_count_next(e))
        self._last_end, self._last_low = self._end_high, low
        self._end_low = self._end_high = None
        self._remaining = None


def _share_of(limit: int, share: int) -> int:
    """`share` percent of `limit`, rounded down, never below one request a minute."""
    return max(1, limit * share // 100)


def _int(value: str | None) -> int | None:
    try:
        return int(float(value.split(",")[0])) if value else None
    except ValueError:
        return None
