"""How the connector answers every Zendesk response: one table of rules and one backoff strategy.

`classify` names the situation (a status code, or a few situations a status alone does not tell apart), the table
says what to do about it. Streams and `check` use the same table; check overrides the two rows where a connection
test must fail instead of skipping or retrying.
"""

from __future__ import annotations

import email.utils
import logging
import math
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

import orjson
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy, HttpStatusErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction

from .waits import DEFAULT_WAITS, Waits

MAX_RETRIES = 10
MAX_RETRY_SECONDS = 3600
RETRY_AFTER_DEFAULT = 60.0  # a 429 without a usable Retry-After: Zendesk's limits are per minute
MAX_EXPONENTIAL_WAIT = 60.0
# airbyte_cdk.sources.streams.http.rate_limiting.user_defined_backoff_handler sleeps the value we return plus one
# second, and treats 0 as "no backoff given" (then falls back to its own exponential retry). So we ask for one
# second less than we want to wait, and never for 0.
CDK_EXTRA_SLEEP = 1.0
MIN_BACKOFF = 0.001

CREDENTIALS_REJECTED = (
    "Zendesk rejected the credentials: check the email and API token / OAuth token "
    "(wrong, expired or revoked; Zendesk answered 401)."
)
UNKNOWN_SUBDOMAIN = (
    "No Zendesk account at {host} (unknown subdomain): check the 'subdomain' field, e.g. 'acme' for acme.zendesk.com."
)
LACKS_PERMISSION = (
    "The Zendesk user lacks the permissions this connector needs (403 Forbidden: {description}). Use the "
    "credentials of a Zendesk admin; an OAuth token also needs the 'read' scope."
)
UNREACHABLE = (
    "Could not reach {host} ({description}): check that the machine running the connector can reach "
    "https://{host} (DNS, proxy, firewall) and that the subdomain is right."
)


STREAM_RULES: Mapping[int | str | type[Exception], ErrorResolution] = {
    "ok": ErrorResolution(ResponseAction.SUCCESS),
    # A 200 whose body is not a whole JSON object (an edge error page, a truncated transfer) is a transient fault:
    # treating it as an empty page would silently end the stream early.
    "unreadable": ErrorResolution(
        ResponseAction.RETRY,
        FailureType.transient_error,
        "Zendesk sent an unreadable response for '{stream}' (not JSON, or cut short); retrying.",
    ),
    "network": ErrorResolution(
        ResponseAction.RETRY,
        FailureType.transient_error,
        "Network error while reading '{stream}' from {host} ({description}); retrying.",
    ),
    "request_error": ErrorResolution(
        ResponseAction.FAIL, FailureType.system_error, "The request for '{stream}' could not be sent: {description}"
    ),
    "redirect": ErrorResolution(
        ResponseAction.FAIL,
        FailureType.system_error,
        "Zendesk redirected the request for '{stream}' (HTTP {status}) to {description}; "
        "the connector only talks to {host} and does not follow redirects.",
    ),
    "unknown_subdomain": ErrorResolution(ResponseAction.FAIL, FailureType.config_error, UNKNOWN_SUBDOMAIN),
    400: ErrorResolution(
        ResponseAction.FAIL,
        FailureType.system_error,
        "Zendesk refused the request for '{stream}' (HTTP 400): {description}",
    ),
    401: ErrorResolution(ResponseAction.FAIL, FailureType.config_error, CREDENTIALS_REJECTED),
    # With a refresh token the CDK refreshes once and retries; a second 401 then ends as a config error.
    "401_refreshable": ErrorResolution(
        ResponseAction.REFRESH_TOKEN_THEN_RETRY,
        FailureType.config_error,
        "Zendesk rejected the OAuth access token for '{stream}'; refreshing it once.",
    ),
    # Plan-dependent or permission-dependent data: skip this stream, keep syncing the others.
    403: ErrorResolution(
        ResponseAction.IGNORE,
        None,
        "Skipping stream '{stream}': Zendesk answered 403 Forbidden ({description}). The account's plan may not "
        "include this data, or the user is not an admin / the OAuth token lacks the 'read' scope. "
        "The other streams go on.",
    ),
    # A stream that needs a plan, add-on or feature the account may lack (its `requires`): Zendesk answers 403 or
    # 404 then. The stream is skipped with one warning saying what it needs; the rest of the sync goes on.
    "gated": ErrorResolution(
        ResponseAction.IGNORE,
        None,
        "Skipping stream '{stream}': Zendesk answered HTTP {status} ({description}). This stream needs {requires}; "
        "the account's plan or settings do not include it, or the user is not an admin. The other streams go on.",
    ),
    404: ErrorResolution(
        ResponseAction.FAIL,
        FailureType.system_error,
        "Zendesk has no endpoint for '{stream}' (HTTP 404): {description}",
    ),
    # A stream that asks for records once per parent record (per_parent.py): Zendesk refused one parent's list in a way
    # that concerns that parent only (PerParentReader.skips_row says which). It is skipped, the stream goes on.
    "row_refused": ErrorResolution(
        ResponseAction.IGNORE,
        None,
        "Skipping {path} for '{stream}': Zendesk answered HTTP {status} ({description}). The record it belongs to "
        "was most likely deleted during the sync, or cannot have these records; the rest of '{stream}' goes on.",
    ),
    422: ErrorResolution(
        ResponseAction.FAIL,
        FailureType.system_error,
        "Zendesk refused the request for '{stream}' (HTTP 422): {description}",
    ),
    429: ErrorResolution(
        ResponseAction.RATE_LIMITED,
        FailureType.transient_error,
        "Zendesk's rate limit was reached while reading '{stream}'; waiting as its Retry-After header says.",
    ),
    # A large export page Zendesk could not build in time ("upstream request timeout"): the same request with a
    # smaller page usually goes through, where retrying the same size can fail for hours (airbytehq/airbyte#52059).
    # Only while the stream can still ask for a smaller page; after that a 504 is retried like any 5xx.
    "504_smaller_page": ErrorResolution(
        ResponseAction.REDUCE_PAGE_SIZE,
        FailureType.transient_error,
        "Zendesk timed out building a page of '{stream}' (HTTP 504: {description}); asking for a smaller page.",
    ),
    "5xx": ErrorResolution(
        ResponseAction.RETRY,
        FailureType.transient_error,
        "Zendesk answered HTTP {status} for '{stream}' ({description}); retrying with backoff.",
    ),
    "other": ErrorResolution(
        ResponseAction.FAIL, FailureType.system_error, "Zendesk answered HTTP {status} for '{stream}': {description}"
    ),
}

CHECK_RULES: Mapping[int | str | type[Exception], ErrorResolution] = {
    **STREAM_RULES,
    403: ErrorResolution(ResponseAction.FAIL, FailureType.config_error, LACKS_PERMISSION),
    # A connection test that retries an unreachable host for minutes helps nobody: say so at once.
    "network": ErrorResolution(ResponseAction.FAIL, FailureType.config_error, UNREACHABLE),
}

# Discover reading the account's custom field lists (custom_fields/discover.py): whatever stops a list (no
# permission, an unknown route, an unreachable host) ends that list at once, and discover goes on without its
# columns; the rest (429, 5xx, a refreshed token) is waited for and retried as in a sync.
FIELD_LIST_RULES: Mapping[int | str | type[Exception], ErrorResolution] = {
    **STREAM_RULES,
    403: ErrorResolution(ResponseAction.FAIL, FailureType.config_error,
                         "Zendesk answered 403 Forbidden ({description}): the user is not an admin, or the OAuth token "
                         "lacks the 'read' scope"),
    404: ErrorResolution(ResponseAction.FAIL, FailureType.system_error, "Zendesk answered 404 ({description})"),
    "network": ErrorResolution(ResponseAction.FAIL, FailureType.config_error, UNREACHABLE),
}

_NETWORK_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def json_body(response: requests.Response) -> Any:
    """The response's JSON, parsed once: the error handler parses it to tell a whole page from a broken one."""
    cache = response.__dict__
    if "_zendesk_json" not in cache:
        cache["_zendesk_json"] = orjson.loads(response.content)
    return cache["_zendesk_json"]


def drop_raw_body(response: requests.Response) -> None:
    """Frees a whole page's bytes once it is parsed: from here on only the parsed body is read, and the bytes of a
    1,000-record export page (megabytes) would otherwise live as long as its records wait to be written."""
    if response.ok and "_zendesk_json" in response.__dict__:
        response._content = b""


def with_json_body(response: requests.Response, body: Any) -> requests.Response:
    """`response` whose json_body is `body`, already parsed (sharing.py hands a page's parts to another stream)."""
    response.__dict__["_zendesk_json"] = body
    return response


def classify(
    response_or_exception: requests.Response | Exception | None, refreshable: bool, shrinkable: bool = False
) -> int | str:
    if isinstance(response_or_exception, requests.Response):
        response = response_or_exception
        status = response.status_code
        if 200 <= status < 300:
            try:
                return "ok" if isinstance(json_body(response), dict) else "unreadable"
            except (orjson.JSONDecodeError, requests.exceptions.RequestException):
                return "unreadable"
        if 300 <= status < 400:
            return "redirect"
        if status == 404 and b"No help desk at" in response.content:
            return "unknown_subdomain"
        if status == 401 and refreshable:
            return "401_refreshable"
        if status == 504 and shrinkable:
            return "504_smaller_page"
        if status >= 500:
            return "5xx"
        return status if status in STREAM_RULES else "other"
    if isinstance(response_or_exception, _NETWORK_ERRORS):
        return "network"
    return "request_error"


def describe(response_or_exception: requests.Response | Exception | None) -> str:
    """A short, single-line account of what Zendesk (or the network) said. Zendesk's error bodies never echo
    credentials, and exceptions are reduced to their class name so no URL or header can slip through."""
    if not isinstance(response_or_exception, requests.Response):
        return type(response_or_exception).__name__
    response = response_or_exception
    if 300 <= response.status_code < 400:
        return response.headers.get("Location", "an unknown location")
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        text = response.text
    else:
        text = _error_text(body)
    return " ".join(text.split())[:300] or f"HTTP {response.status_code}"


def _error_text(body: Any) -> str:
    if not isinstance(body, dict):
        return str(body)
    error = body.get("error")
    if isinstance(error, dict):  # {"error": {"title": ..., "message": ...}}
        return ": ".join(str(error[k]) for k in ("title", "message") if error.get(k))
    detail = body.get("description") or body.get("error_description") or body.get("details") or body.get("detail")
    return ": ".join(str(part) for part in (error, detail) if part)


class RowRequests(Protocol):
    """A stream's requests made once per parent record (per_parent.PerParentReader)."""

    @property
    def asking(self) -> bool:
        """One of them is under way."""
        ...

    def skips_row(self, response: requests.Response) -> bool: ...


class ZendeskErrorHandler(HttpStatusErrorHandler):
    """The CDK's status-code handler, keyed by `classify` instead of the bare status, with messages filled in."""

    def __init__(
        self,
        logger: logging.Logger,
        stream: str,
        host: str,
        rules: Mapping[int | str | type[Exception], ErrorResolution] = STREAM_RULES,
        refreshable: bool = False,
        can_shrink_page: Callable[[], bool] = lambda: False,
        requires: str | None = None,
        rows: RowRequests | None = None,
    ) -> None:
        """`requires`: the plan, add-on or feature the stream needs, when the account may lack it. `rows`: the
        stream's requests made once per parent record, when it makes any."""
        super().__init__(logger, rules, max_retries=MAX_RETRIES, max_time=timedelta(seconds=MAX_RETRY_SECONDS))
        # Our own references: the CDK's handler keeps the same two in private attributes.
        self._rules, self._log = rules, logger
        self._stream, self._host, self._refreshable = stream, host, refreshable
        self._can_shrink_page, self._requires, self._rows = can_shrink_page, requires, rows

    def interpret_response(self, response_or_exception: requests.Response | Exception | None = None) -> ErrorResolution:
        row = self._rows is not None and self._rows.asking
        # Only the stream's own pages have a size to shrink; a parent's list times out like any other request.
        kind = classify(response_or_exception, self._refreshable, self._can_shrink_page() and not row)
        if (row and kind in (404, 422) and isinstance(response_or_exception, requests.Response)
                and self._rows is not None and self._rows.skips_row(response_or_exception)):
            kind = "row_refused"
        if self._requires and kind in (403, 404) and "gated" in self._rules:
            kind = "gated"
        rule = self._rules[kind]
        if rule.response_action is ResponseAction.SUCCESS:
            return rule
        message = (rule.error_message or "").format(
            stream=self._stream,
            host=self._host,
            status=getattr(response_or_exception, "status_code", "-"),
            description=describe(response_or_exception),
            requires=self._requires,
            path=_path_of(response_or_exception),
        )
        if rule.response_action is ResponseAction.IGNORE:
            self._log.warning(message)
        return ErrorResolution(rule.response_action, rule.failure_type, message)


def _path_of(response_or_exception: requests.Response | Exception | None) -> str:
    """The path a response answers (no query, which may carry a cursor; paths carry ids only)."""
    request = getattr(response_or_exception, "request", None)
    return urlsplit(getattr(request, "url", None) or "").path or "-"


class ZendeskBackoff(BackoffStrategy):
    """429: exactly what Retry-After says. Everything else retried: 2, 4, 8 ... seconds, at most a minute.

    The CDK logs one line and then sleeps what `backoff_time` returns in silence. So it is handed at most one
    heartbeat of the wait; the rest is waited here first, with a log line per heartbeat (waits.py says why).
    """

    def __init__(self, waits: Waits = DEFAULT_WAITS, logger: logging.Logger | None = None, stream: str = "check"):
        self._waits, self._stream = waits, stream
        self._logger = logger or logging.getLogger("airbyte")

    def backoff_time(
        self, response_or_exception: requests.Response | requests.RequestException | None, attempt_count: int
    ) -> float:
        if attempt_count > MAX_RETRIES:
            return MIN_BACKOFF  # the CDK gives up after this attempt: waiting here first would only delay that
        wait = self.wait_seconds(response_or_exception, attempt_count)
        handed_over = min(wait, self._waits.heartbeat)
        why = (
            f"HTTP {response_or_exception.status_code}"
            if isinstance(response_or_exception, requests.Response)
            else type(response_or_exception).__name__
        )
        self._waits.pause(wait - handed_over, self._logger, f"Waiting before retrying '{self._stream}' ({why})")
        return max(handed_over - CDK_EXTRA_SLEEP, MIN_BACKOFF)

    @staticmethod
    def wait_seconds(
        response_or_exception: requests.Response | requests.RequestException | None, attempt_count: int
    ) -> float:
        if isinstance(response_or_exception, requests.Response) and response_or_exception.status_code == 429:
            return retry_after(response_or_exception.headers)
        return min(2.0**attempt_count, MAX_EXPONENTIAL_WAIT)


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float:
    """Seconds to wait from a Retry-After header: seconds ("5"; proxies have been seen to join values, "5, 4":
    the first counts) or an HTTP date. Missing or unreadable: RETRY_AFTER_DEFAULT."""
    raw = (headers.get("Retry-After") or "").split(",")[0].strip()
    if not raw:
        return RETRY_AFTER_DEFAULT
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else RETRY_AFTER_DEFAULT
    try:
        moment = email.utils.parsedate_to_datetime(headers["Retry-After"])
    except (TypeError, ValueError, IndexError):
        return RETRY_AFTER_DEFAULT
    return max(moment.timestamp() - (time.time() if now is None else now), 0.0)
