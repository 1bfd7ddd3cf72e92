"""Zendesk's HTTP API for tests: one request builder, responses built from JSON templates, and a strict mock that
fails on any request nobody expected and on any expected request that was never made."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
import requests_mock

SUBDOMAIN = "acme"
HOST = f"{SUBDOMAIN}.zendesk.com"
API = f"https://{HOST}/api/v2/"
TEMPLATES = Path(__file__).parent / "resource" / "http" / "response"


@cache
def _template_text(name: str) -> str:
    return (TEMPLATES / f"{name}.json").read_text()


def template(name: str) -> dict[str, Any]:
    return json.loads(_template_text(name))


def iso(unix: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


@dataclass(frozen=True)
class ZendeskRequest:
    path: str  # relative to /api/v2/, or an absolute URL
    query: tuple[tuple[str, str], ...] = ()
    method: str = "GET"

    @property
    def url(self) -> str:
        base = self.path if "://" in self.path else API + self.path
        return f"{base}?{urlencode(self.query)}" if self.query else base

    def matches(self, method: str, url: str) -> bool:
        want, got = urlsplit(self.url), urlsplit(url)
        return (
            method.upper() == self.method
            and (got.scheme, got.netloc, got.path) == (want.scheme, want.netloc, want.path)
            and sorted(parse_qsl(got.query, keep_blank_values=True))
            == sorted(parse_qsl(want.query, keep_blank_values=True))
        )

    # -- incremental exports -------------------------------------------------------------------------------------
    @classmethod
    def ticket_export(cls, start_time: int) -> ZendeskRequest:
        return cls("incremental/tickets/cursor.json", (("start_time", str(start_time)), ("per_page", "1000")))

    @classmethod
    def ticket_metrics_export(cls, start_time: int) -> ZendeskRequest:
        return cls(
            "incremental/tickets/cursor.json",
            (("start_time", str(start_time)), ("per_page", "1000"), ("include", "metric_sets")),
        )

    @classmethod
    def user_export(cls, start_time: int) -> ZendeskRequest:
        return cls("incremental/users/cursor.json", (("start_time", str(start_time)), ("per_page", "1000")))

    @classmethod
    def export_after(cls, resource: str, cursor: str, include: str | None = None) -> ZendeskRequest:
        """The `after_url` Zendesk hands out: only the cursor (and the sideload) survive."""
        query = (("cursor", cursor),) + ((("include", include),) if include else ())
        return cls(f"incremental/{resource}/cursor.json", query)

    @classmethod
    def organization_export(cls, start_time: int, per_page: int = 1000) -> ZendeskRequest:
        """Zendesk's `next_page` repeats the `per_page` of the request it answers."""
        return cls("incremental/organizations.json", (("start_time", str(start_time)), ("per_page", str(per_page))))

    # -- lists ---------------------------------------------------------------------------------------------------
    @classmethod
    def list(cls, resource: str, after: str | None = None) -> ZendeskRequest:
        query = [("page[size]", "100")]
        if resource == "groups":
            query.append(("exclude_deleted", "false"))
        if after:
            query.append(("page[after]", after))
        return cls(f"{resource}.json", tuple(query))

    @classmethod
    def ticket_audits(cls, cursor: str | None = None) -> ZendeskRequest:
        query = (("cursor", cursor), ("limit", "1000")) if cursor else (("limit", "1000"),)
        return cls("ticket_audits.json", query)

    # -- the rest ------------------------------------------------------------------------------------------------
    @classmethod
    def me(cls) -> ZendeskRequest:
        return cls("users/me.json")

    @classmethod
    def oauth_token(cls) -> ZendeskRequest:
        return cls(f"https://{HOST}/oauth/tokens", method="POST")


@dataclass(frozen=True)
class ZendeskResponse:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    raises: Exception | None = None

    @classmethod
    def ok(cls, body: Mapping[str, Any]) -> ZendeskResponse:
        return cls(200, json.dumps(body).encode(), {"Content-Type": "application/json; charset=utf-8"})

    @classmethod
    def error(cls, status: int, template_name: str, headers: Mapping[str, str] | None = None) -> ZendeskResponse:
        return cls(
            status, _template_text(template_name).encode(), {"Content-Type": "application/json", **(headers or {})}
        )

    @classmethod
    def rate_limited(cls, retry_after: str | None = "5") -> ZendeskResponse:
        return cls.error(429, "error_rate_limited", {"Retry-After": retry_after} if retry_after is not None else {})

    @classmethod
    def server_error(cls, status: int = 503) -> ZendeskResponse:
        return cls(status, b"upstream request timeout", {"Content-Type": "text/plain"})

    @classmethod
    def unauthorized(cls) -> ZendeskResponse:
        return cls.error(401, "error_unauthorized")

    @classmethod
    def forbidden(cls) -> ZendeskResponse:
        return cls.error(403, "error_forbidden")

    @classmethod
    def no_help_desk(cls) -> ZendeskResponse:
        return cls.error(404, "error_no_help_desk")

    @classmethod
    def html(cls) -> ZendeskResponse:
        """A 200 that is not JSON: what an edge proxy's error page looks like."""
        return cls(200, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"})

    @classmethod
    def truncated(cls, body: Mapping[str, Any]) -> ZendeskResponse:
        text = json.dumps(body).encode()
        return cls(200, text[: len(text) // 2], {"Content-Type": "application/json"})

    @classmethod
    def failure(cls, exception: Exception) -> ZendeskResponse:
        return cls(raises=exception)


# -- page bodies, from the templates -----------------------------------------------------------------------------
def record(template_name: str, records_key: str, **overrides: Any) -> dict[str, Any]:
    return {**template(template_name)[records_key][0], **overrides}


def export_page(template_name: str, records_key: str, records: Sequence[Mapping], after: ZendeskRequest | None) -> dict:
    body = template(template_name)
    body[records_key] = list(records)
    body["end_of_stream"] = after is None
    body["after_url"] = after.url if after else body["after_url"]
    return body


def time_export_page(records: Sequence[Mapping], end_time: int, next_page: ZendeskRequest | None) -> dict:
    body = template("organizations")
    body.update(
        organizations=list(records), count=len(records), end_time=end_time,
        end_of_stream=next_page is None, next_page=next_page.url if next_page else None,
    )  # fmt: skip
    return body


def list_page(resource: str, records: Sequence[Mapping], after: ZendeskRequest | None) -> dict:
    body = template(resource)
    body[resource] = list(records)
    body["meta"]["has_more"] = after is not None
    body["links"]["next"] = after.url if after else None
    return body


def audit_page(records: Sequence[Mapping], older: ZendeskRequest | None) -> dict:
    body = template("ticket_audits")
    body["audits"] = list(records)
    body["before_url"] = older.url if older else None
    body["before_cursor"] = dict(older.query).get("cursor") if older else None
    return body


# -- the strict mock ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sent:
    """A request as it went out (the CDK re-signs and resends the same request object on retries, so the mock keeps
    a copy rather than a reference)."""

    method: str
    url: str
    headers: dict[str, str]
    text: str


@dataclass
class _Expectation:
    request: ZendeskRequest
    responses: list[ZendeskResponse]
    served: int = 0


class ZendeskMock:
    """requests-mock with expectations: each expected request serves its responses in order, once each."""

    UNEXPECTED_STATUS = 418  # not retried by the connector, so an unexpected request fails fast
    # The count endpoints a sync asks once per stream for its row estimate (estimates.py). Tests about records need
    # not list them: unless a test expects them (its expectations win), they answer 404 and the sync goes on
    # without estimates, as it does when Zendesk refuses a count. They are kept in `count_requests`, not `history`.
    COUNT_PATH = re.compile(r"/api/v2/(tickets|users|organizations)/count\.json")

    def __init__(self) -> None:
        self._mocker = requests_mock.Mocker()
        self._expectations: list[_Expectation] = []
        self.unexpected: list[str] = []
        self.history: list[Sent] = []
        self.count_requests: list[str] = []

    def expect(self, request: ZendeskRequest, *responses: ZendeskResponse) -> None:
        expectation = _Expectation(request, list(responses))
        self._expectations.append(expectation)

        def matcher(proxy: Any) -> bool:
            return expectation.served < len(expectation.responses) and request.matches(proxy.method, proxy.url)

        def respond(proxy: Any, context: Any) -> bytes:
            response = expectation.responses[expectation.served]
            expectation.served += 1
            self.history.append(Sent(proxy.method, proxy.url, dict(proxy.headers), proxy.text or ""))
            if response.raises is not None:
                raise response.raises
            context.status_code = response.status
            context.headers.update(response.headers)
            return response.body

        self._mocker.register_uri(request.method, requests_mock.ANY, additional_matcher=matcher, content=respond)

    def __enter__(self) -> ZendeskMock:
        self._mocker.__enter__()

        def unexpected(proxy: Any, context: Any) -> bytes:
            self.unexpected.append(f"{proxy.method} {proxy.url}")
            context.status_code = self.UNEXPECTED_STATUS
            return b'{"error": "unexpected request in a unit test"}'

        self._mocker.register_uri(requests_mock.ANY, requests_mock.ANY, content=unexpected)

        def uncounted(proxy: Any, context: Any) -> bytes:
            self.count_requests.append(proxy.url)
            context.status_code = 404
            return b'{"error": "InvalidEndpoint", "description": "Not found"}'

        self._mocker.register_uri(
            "GET", requests_mock.ANY, additional_matcher=lambda proxy: bool(self.COUNT_PATH.search(proxy.path)),
            content=uncounted,
        )
        return self

    def __exit__(self, *exc: Any) -> None:
        self._mocker.__exit__(*exc)

    def verify(self) -> None:
        missing = [
            f"{e.request.method} {e.request.url} (served {e.served} of {len(e.responses)})"
            for e in self._expectations
            if e.served < len(e.responses)
        ]
        assert not self.unexpected, f"requests nobody expected: {self.unexpected}"
        assert not missing, f"expected requests never made: {missing}"

    def requests_to(self, request: ZendeskRequest) -> list[Sent]:
        return [sent for sent in self.history if request.matches(sent.method, sent.url)]


def connection_error() -> requests.ConnectionError:
    return requests.ConnectionError("Failed to resolve 'acme.zendesk.com' (Name or service not known)")
