"""Zendesk's pagination styles as small stateless objects.

Each answers two questions: which parameters the first request carries, and which URL (if any) comes next after a
page. Zendesk's next-page URLs carry every parameter of the first request, so later requests send the URL as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException


class Paginator(Protocol):
    def first_params(self) -> dict[str, Any]: ...

    def next_url(self, body: Mapping[str, Any]) -> str | None: ...


def pagination_error(problem: str) -> AirbyteTracedException:
    message = f"Zendesk's pagination cannot be followed: {problem}"
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.system_error)


def _required_url(body: Mapping[str, Any], key: str) -> str:
    url = body.get(key)
    if not isinstance(url, str) or not url:
        raise pagination_error(f"the page says more data follows but has no '{key}'")
    return url


@dataclass(frozen=True)
class ExportCursorPaginator:
    """Cursor-based incremental export (tickets, users): `start_time` first, then `after_url` until `end_of_stream`.

    A page may be empty while `end_of_stream` is false: that only means "keep going".
    https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api/#cursor-based-incremental-exports
    """

    per_page: int = 1000  # Zendesk's maximum for the exports

    def first_params(self) -> dict[str, Any]:
        return {"per_page": self.per_page}

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        return None if body.get("end_of_stream") else _required_url(body, "after_url")


@dataclass(frozen=True)
class ExportTimePaginator:
    """Time-based incremental export (organizations): follow `next_page` (its start_time is the page's end_time)
    until `end_of_stream`. The page size is fixed at 1,000 by Zendesk.
    https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api/#time-based-incremental-exports
    """

    def first_params(self) -> dict[str, Any]:
        return {}

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        return None if body.get("end_of_stream") else _required_url(body, "next_page")


@dataclass(frozen=True)
class PageCursorPaginator:
    """Cursor pagination of list endpoints: `page[size]`, then `links.next` while `meta.has_more`.
    https://developer.zendesk.com/api-reference/introduction/pagination/#using-cursor-pagination
    """

    page_size: int = 100  # Zendesk's maximum for cursor pagination

    def first_params(self) -> dict[str, Any]:
        return {"page[size]": self.page_size}

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        if not (body.get("meta") or {}).get("has_more"):
            return None
        return _required_url(body.get("links") or {}, "next")


@dataclass(frozen=True)
class AuditCursorPaginator:
    """The legacy cursor of `ticket_audits`: the first page holds the newest audits and `before_url` leads to older
    ones; it is null once no older audits exist. At most 1,000 per page (also the default).
    https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/#list-all-ticket-audits
    """

    limit: int = 1000

    def first_params(self) -> dict[str, Any]:
        return {"limit": self.limit}

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        return body.get("before_url") or None


def same_request(url: str, other: str) -> bool:
    """Whether two URLs ask for the same thing (same path and parameters, in any order)."""
    a, b = urlsplit(url), urlsplit(other)
    return (a.netloc.lower(), a.path) == (b.netloc.lower(), b.path) and sorted(parse_qsl(a.query)) == sorted(
        parse_qsl(b.query)
    )
