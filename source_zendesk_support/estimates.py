"""How big a stream will be, said before its first record (Airbyte's ESTIMATE trace messages), and how far the sync
has got, said while it waits.

Airbyte's UI and PyAirbyte draw progress from ESTIMATE messages; a big Zendesk account otherwise shows minutes of
"s to go" lines while the exports wait for Zendesk's next minute.

What an estimate means: the number of records the stream is about to send in this sync. Zendesk tells that cheaply
only where a count endpoint counts the same records (`tickets/count`, `users/count`, `organizations/count`:
`{"count": {"value": n, "refreshed_at": ...}}`), and only when the stream reads everything from the start date:

- a full refresh, or an incremental stream's first sync (no saved state): the count is the estimate. The count
  endpoints count the whole account, so the estimate holds when the start date lies before the account's records
  (the usual first sync); with a later start date it is an upper bound. Zendesk's count leaves out deleted records
  that the exports include (a few percent on most accounts).
- an incremental sync from a saved position: no estimate. Zendesk has no cheap count of "changed since": the count
  endpoints take no date, and search's count lags behind by minutes and leaves out deleted (and, on some accounts,
  archived) tickets, so its figure would look precise without being so.
- a count over 100,000 is refreshed by Zendesk once a day; while it is being refreshed, Zendesk answers a
  `refreshed_at` of null and a value capped at 100,000: that is no estimate, and none is sent.

Every other stream has no estimate. Cursor-paginated lists carry no total; a time-based export's `count` counts one
page, not the stream; and the lists whose pages say a total (offset pagination: ticket_forms, sla_policies, routing
attributes) come whole in one response, so the estimate would arrive with every record at once and show no progress.

A count costs one request, paced and authenticated like every other; `tickets` and `ticket_metrics` (one metric set
per ticket) share it. It is never retried and never fails the sync: an answer other than a usable count is logged,
and the stream goes on without an estimate.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from airbyte_cdk.models import (
    AirbyteEstimateTraceMessage,
    AirbyteMessage,
    AirbyteTraceMessage,
    EstimateType,
    TraceType,
)
from airbyte_cdk.models import Type as MessageType
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.sources.streams.call_rate import AbstractAPIBudget
from airbyte_cdk.sources.streams.http.error_handlers import ErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from requests.auth import AuthBase

from .config import ZendeskConfig
from .errors import ZendeskBackoff, classify, describe, json_body
from .waits import Waits

RECOUNT_CAP = 100_000  # the value Zendesk answers while it refreshes a count above it (refreshed_at: null)


@dataclass
class _Tally:
    records: int = 0
    estimate: int | None = None
    reading: bool = True


@dataclass
class Progress:
    """Records sent so far per stream, and their estimates: what every wait's log line says (waits.py)."""

    _streams: dict[str, _Tally] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, stream: str) -> _Tally:
        with self._lock:
            tally = self._streams[stream] = _Tally()
            return tally

    def summary(self) -> str:
        """e.g. "Progress: tickets 8,000 of ~10,000 records (80%), users 1,200 records; 9,200 records in all." The
        streams being read are named; finished ones count in the total only."""
        with self._lock:
            tallies = list(self._streams.items())
        if not tallies:
            return ""
        parts = []
        for name, tally in tallies:
            if not tally.reading:
                continue
            if tally.estimate:
                share = 100 * tally.records // tally.estimate
                parts.append(f"{name} {tally.records:,} of ~{tally.estimate:,} records ({share}%)")
            else:
                parts.append(f"{name} {_records(tally.records)}")
        total = sum(tally.records for _, tally in tallies)
        return f"Progress: {', '.join(parts) + '; ' if parts else ''}{_records(total)} in all."


def _records(count: int) -> str:
    return f"{count:,} record" + ("" if count == 1 else "s")


class _CountErrors(ErrorHandler):
    """Any answer but a whole JSON object is no estimate: logged once (by the CDK, at info level) and never retried,
    whatever it is (a 429 still tells the pacer to hold the other requests)."""

    def __init__(self, stream: str) -> None:
        self._stream = stream

    @property
    def max_retries(self) -> int | None:
        return 0

    @property
    def max_time(self) -> int | None:
        return None

    def interpret_response(self, response_or_exception: requests.Response | Exception | None = None) -> ErrorResolution:
        if classify(response_or_exception, refreshable=False) == "ok":
            return ErrorResolution(ResponseAction.SUCCESS)
        status = getattr(response_or_exception, "status_code", None)
        answer = f"HTTP {status}" if status is not None else "no answer"
        message = (f"No row estimate for '{self._stream}': Zendesk's count gave {answer} "
                   f"({describe(response_or_exception)}); the stream is read without one.")
        return ErrorResolution(ResponseAction.IGNORE, None, message)


class Estimates:
    """Asks Zendesk's count endpoints, each at most once a sync, through the sync's pacer and authenticator."""

    def __init__(self, config: ZendeskConfig, authenticator: AuthBase, pacer: AbstractAPIBudget, waits: Waits,
                 logger: logging.Logger, progress: Progress, count_endpoints: Mapping[str, str]) -> None:
        """`count_endpoints`: by stream, the endpoint that counts its records (its `count_endpoint`)."""
        self._config, self._authenticator, self._pacer = config, authenticator, pacer
        self._count_endpoints = count_endpoints
        self._waits, self._logger, self.progress = waits, logger, progress
        self._answers: dict[str, int | None] = {}
        self._asking: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def rows(self, stream: str, from_start: bool) -> int | None:
        """The estimate for `stream` when it reads from the start date, else None (the module docstring says why)."""
        path = self._count_endpoints.get(stream)
        if path is None or not from_start:
            return None
        with self._lock:
            asking = self._asking.setdefault(path, threading.Lock())
        with asking:  # a second stream counted by the same endpoint waits for the first one's answer
            if path not in self._answers:
                try:
                    self._answers[path] = self._count(stream, path)
                except Exception as error:  # noqa: BLE001  # an estimate is never worth failing a sync for
                    self._logger.info(f"No row estimate for '{stream}': its count failed ({type(error).__name__}); "
                                      "the stream is read without one.")
                    self._answers[path] = None
            return self._answers[path]

    def _count(self, stream: str, path: str) -> int | None:
        client = HttpClient(
            name=stream,
            logger=self._logger,
            error_handler=_CountErrors(stream),
            backoff_strategy=ZendeskBackoff(self._waits, self._logger, stream),
            authenticator=self._authenticator,
            api_budget=self._pacer,  # type: ignore[arg-type]  # the CDK calls only AbstractAPIBudget's methods
            message_repository=InMemoryMessageRepository(),
        )
        _, response = client.send_request(
            "GET", self._config.url_base + path,
            request_kwargs={"timeout": self._waits.request_timeout, "allow_redirects": False},
        )
        if classify(response, refreshable=False) != "ok":
            return None  # the error handler's message said why (the CDK answers an ignored failure with a blank one)
        return self._value(stream, json_body(response))

    def _value(self, stream: str, body: Any) -> int | None:
        count = body.get("count") if isinstance(body, Mapping) else None
        value = count.get("value") if isinstance(count, Mapping) else None
        if not isinstance(count, Mapping) or isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self._logger.info(f"No row estimate for '{stream}': Zendesk's count has no number of records.")
            return None
        if count.get("refreshed_at") is None and value >= RECOUNT_CAP:
            self._logger.info(f"No row estimate for '{stream}': Zendesk is recounting it (the count says "
                              f"{value:,} until it is done).")
            return None
        return value


class StreamProgress:
    """One stream's part: its estimate sent before its first record, and its records counted as they go."""

    def __init__(self, name: str, namespace: str | None, estimates: Estimates,
                 emit: Callable[[AirbyteMessage], None]) -> None:
        self._name, self._namespace, self._estimates, self._emit = name, namespace, estimates, emit
        self._tally = _Tally()

    def begin(self, from_start: bool) -> None:
        self._tally = self._estimates.progress.started(self._name)
        rows = self._estimates.rows(self._name, from_start)
        if rows is None:
            return
        self._tally.estimate = rows
        self._emit(estimate_message(self._name, self._namespace, rows))

    def record(self) -> None:
        self._tally.records += 1  # one worker thread per stream: no other writer

    def end(self) -> None:
        self._tally.reading = False


def estimate_message(stream: str, namespace: str | None, rows: int) -> AirbyteMessage:
    return AirbyteMessage(
        type=MessageType.TRACE,
        trace=AirbyteTraceMessage(
            type=TraceType.ESTIMATE,
            emitted_at=time.time() * 1000,
            estimate=AirbyteEstimateTraceMessage(name=stream, type=EstimateType.STREAM, namespace=namespace,
                                                 row_estimate=rows),
        ),
    )
