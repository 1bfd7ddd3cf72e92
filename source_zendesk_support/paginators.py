"""Zendesk's pagination styles as small stateless objects.

Each answers two questions: which parameters the first request carries, and which URL (if any) comes next after a
page. Zendesk's next-page URLs carry every parameter of the first request, so later requests send the URL as is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from .failures import BrokenPagination

EXPORT_PAGE = 1000  # the time-based exports' page: fixed (a page grows past it to hold its last second)
OFFSET_PAGE = 100  # the most an offset page holds


class Paginator(Protocol):
    # The query parameter that sets the page size, when a smaller page may be asked for (see PageSize); None when
    # the page size is fixed or pages are small anyway.
    page_size_param: ClassVar[str | None]
    # How Zendesk links the next page, named for tools that follow pages without this module (bench/floor.py):
    # "after_url"/"next_page": that key until `end_of_stream`; "links": `links.next` while `meta.has_more`;
    # "before_url"/"next_page_or_null": that key until null; "next_page_until_empty": `next_page` until null or a
    # page without records; None: one response holds every record.
    link_style: ClassVar[str | None]

    def first_params(self) -> dict[str, Any]: ...

    def page_records(self) -> int | None:
        """The most records a page holds (None: one response holds every record)."""
        ...

    def next_url(self, body: Mapping[str, Any]) -> str | None: ...

    def fake_page(self, page: FakePage, body: Mapping[str, Any], url: LinkTo) -> tuple[dict[str, Any], dict[str, Any]]:
        """Page `page.n` of a list as Zendesk would send it, for tests and tools: the query that asks for it, and
        `body` (the page's records and other keys) with the keys that say what follows, the ones `next_url` reads.
        `url(query)`: the URL of the same endpoint with `query`."""
        ...


LinkTo = Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class FakePage:
    """What a paginator needs to write page `n` of a test's list: whether it is the `last`, the parameters the
    position gives the first request (`first_query`: `start_time`...), and for time-based exports the instant the
    page starts at (the previous page's end) and the newest instant on it, and how many records it holds."""

    n: int
    last: bool
    first_query: Mapping[str, Any] = field(default_factory=dict)
    starts: int = 0
    ends: int = 0
    count: int = 0

    def query(self, paginator: Paginator, later: Mapping[str, Any]) -> dict[str, Any]:
        """The first page's query (the paginator's first parameters and the position's), or a later page's."""
        return {**paginator.first_params(), **self.first_query} if self.n == 0 else dict(later)


def _required_url(body: Mapping[str, Any], key: str) -> str:
    url = body.get(key)
    if not isinstance(url, str) or not url:
        raise BrokenPagination(f"the page says more data follows but has no '{key}'")
    return url


def _flag(body: Mapping[str, Any], key: str) -> bool:
    """A true/false that says whether more pages follow. Guessing from anything else (a missing key, null, "false")
    could end a stream early without a word, so it is refused instead."""
    value = body.get(key)
    if not isinstance(value, bool):
        raise BrokenPagination(f"the page's '{key}' is {str(value)[:40]!r}, not true or false")
    return value


def _object(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    if not isinstance(value, Mapping):
        raise BrokenPagination(f"the page has no '{key}' object")
    return value


@dataclass(frozen=True)
class ExportCursorPaginator:
    """Cursor-based incremental export (tickets, users): `start_time` first, then `after_url` until `end_of_stream`.

    A page may be empty while `end_of_stream` is false: that only means "keep going".
    https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api/#cursor-based-incremental-exports
    """

    per_page: int = 1000  # Zendesk's maximum for the exports
    page_size_param: ClassVar[str | None] = "per_page"
    link_style: ClassVar[str | None] = "after_url"

    def first_params(self) -> dict[str, Any]:
        return {"per_page": self.per_page}

    def page_records(self) -> int | None:
        return self.per_page

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        return None if _flag(body, "end_of_stream") else _required_url(body, "after_url")

    def fake_page(self, page: FakePage, body: Mapping[str, Any], url: LinkTo) -> tuple[dict[str, Any], dict[str, Any]]:
        query = page.query(self, {"cursor": f"after-{page.n}"})
        return query, {**body, "end_of_stream": page.last, "after_url": url({"cursor": f"after-{page.n + 1}"})}


@dataclass(frozen=True)
class RecordExportPaginator(ExportCursorPaginator):
    """The custom object record export (`incremental/custom_objects/{key}/cursor`): Zendesk's reference gives it
    `meta.has_more`, not the exports' `end_of_stream`; whichever the page has says if more follows (notes/custom-objects.md)."""

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        if "end_of_stream" in body:
            return super().next_url(body)
        return _required_url(body, "after_url") if _flag(_object(body, "meta"), "has_more") else None


@dataclass(frozen=True)
class ExportTimePaginator:
    """Time-based incremental export (ticket events, metric events): follow `next_page` (its start_time is the page's
    end_time) until `end_of_stream`. Up to 1,000 records a page, a size these exports take no parameter for: a 504 on
    one of their pages is retried with backoff (notes/export-page-size.md).
    https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api/#time-based-incremental-exports
    """

    page_size_param: ClassVar[str | None] = None
    link_style: ClassVar[str | None] = "next_page"

    def first_params(self) -> dict[str, Any]:
        return {}

    def page_records(self) -> int | None:
        return EXPORT_PAGE

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        return None if _flag(body, "end_of_stream") else _required_url(body, "next_page")

    def fake_page(self, page: FakePage, body: Mapping[str, Any], url: LinkTo) -> tuple[dict[str, Any], dict[str, Any]]:
        following = None if page.last else url({"start_time": page.ends})
        return page.query(self, {"start_time": page.starts}), {
            **body, "end_of_stream": page.last, "next_page": following, "end_time": page.ends, "count": page.count}


@dataclass(frozen=True)
class SizedExportTimePaginator(ExportTimePaginator):
    """A time-based export that takes `per_page` (organizations: Zendesk's reference lists it for the organization
    and user exports), so a 504 asks for the same page smaller (PageSize). A smaller page loses nothing: its
    `end_time` is its last record's second, whose records come again on the next page and are dropped there
    (state.EndTimePosition)."""

    per_page: int = 1000
    page_size_param: ClassVar[str | None] = "per_page"

    def first_params(self) -> dict[str, Any]:
        return {"per_page": self.per_page}

    def page_records(self) -> int | None:
        return self.per_page


def _next_page(body: Mapping[str, Any]) -> str | None:
    """`next_page`, null on the last page; the key must be there: a page without it says nothing about what follows."""
    if "next_page" not in body:
        raise BrokenPagination("the page has no 'next_page' (null on the last page)")
    return None if body["next_page"] is None else _required_url(body, "next_page")


@dataclass(frozen=True)
class ArticleExportPaginator:
    """The Help Center's incremental article export: up to 1,000 articles a page, and `next_page` holds the next
    `start_time` (the page's `end_time`) instead of a page number. It has no `end_of_stream`: the export ends at a null
    `next_page` or at a page without articles (the official connector stops on that empty page too), so the key and
    the list must both be there.
    https://developer.zendesk.com/documentation/help_center/help-center-api/understanding-incremental-article-exports/
    """

    records_key: str = "articles"
    page_size_param: ClassVar[str | None] = None
    link_style: ClassVar[str | None] = "next_page_until_empty"

    def first_params(self) -> dict[str, Any]:
        return {}

    def page_records(self) -> int | None:
        return EXPORT_PAGE

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        url = _next_page(body)
        records = body.get(self.records_key)
        if not isinstance(records, list):
            raise BrokenPagination(f"the page has no '{self.records_key}' list")
        return url if records else None

    def fake_page(self, page: FakePage, body: Mapping[str, Any], url: LinkTo) -> tuple[dict[str, Any], dict[str, Any]]:
        following = None if page.last else url({"start_time": page.ends})
        return page.query(self, {"start_time": page.starts}), {
            **body, "next_page": following, "end_time": page.ends, "count": page.count}


@dataclass(frozen=True)
class PageCursorPaginator:
    """Cursor pagination of list endpoints: `page[size]`, then `links.next` while `meta.has_more`.
    https://developer.zendesk.com/api-reference/introduction/pagination/#using-cursor-pagination
    """

    page_size: int = 100  # Zendesk's maximum for cursor pagination
    page_size_param: ClassVar[str | None] = None  # 100 records a page: small enough not to time out
    link_style: ClassVar[str | None] = "links"

    def first_params(self) -> dict[str, Any]:
        return {"page[size]": self.page_size}

    def page_records(self) -> int | None:
        return self.page_size

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        if not _flag(_object(body, "meta"), "has_more"):
            return None
        return _required_url(_object(body, "links"), "next")

    def fake_page(self, page: FakePage, body: Mapping[str, Any], url: LinkTo) -> tuple[dict[str, Any], dict[str, Any]]:
        following = None if page.last else url({**self.first_params(), "page[after]": f"after-{page.n + 1}"})
        return page.query(self, {**self.first_params(), "page[after]": f"after-{page.n}"}), {
            **body, "meta": {**body.get("meta", {}), "has_more": not page.last},
            "links": {**body.get("links", {}), "next": following}}


@dataclass(frozen=True)
class AuditCursorPaginator:
    """The legacy cursor of `ticket_audits`: the first page holds the newest audits and `before_url` leads to older
    ones; it is null once no older audits exist. At most 1,000 per page (also the default).
    https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/#list-all-ticket-audits
    """

    limit: int = 1000
    page_size_param: ClassVar[str | None] = None
    link_style: ClassVar[str | None] = "before_url"

    def first_params(self) -> dict[str, Any]:
        return {"limit": self.limit}

    def page_records(self) -> int | None:
        return self.limit

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        if "before_url" not in body:
            raise BrokenPagination("the page has no 'before_url' (null on the oldest page)")
        return None if body["before_url"] is None else _required_url(body, "before_url")

    def fake_page(self, page: FakePage, body: Mapping[str, Any], url: LinkTo) -> tuple[dict[str, Any], dict[str, Any]]:
        older = None if page.last else f"before-{page.n + 1}"
        return page.query(self, {**self.first_params(), "cursor": f"before-{page.n}"}), {
            **body, "before_url": url({**self.first_params(), "cursor": older}) if older else None,
            "before_cursor": older}


@dataclass(frozen=True)
class NextPagePaginator:
    """Lists Zendesk serves whole or in offset pages (ticket_forms, sla_policies, routing attributes): follow
    `next_page` until it is null. The key must be there: a page without it says nothing about what follows.
    https://developer.zendesk.com/api-reference/introduction/pagination/#using-offset-pagination
    """

    page_size_param: ClassVar[str | None] = None
    link_style: ClassVar[str | None] = "next_page_or_null"

    def first_params(self) -> dict[str, Any]:
        return {}

    def page_records(self) -> int | None:
        return OFFSET_PAGE

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        return _next_page(body)

    def fake_page(self, page: FakePage, body: Mapping[str, Any], url: LinkTo) -> tuple[dict[str, Any], dict[str, Any]]:
        following = None if page.last else url({"page": page.n + 2})
        return page.query(self, {"page": page.n + 1}), {**body, "next_page": following}


@dataclass(frozen=True)
class Unpaginated:
    """Lists Zendesk documents as one response holding every record (custom_roles, schedules, custom_statuses)."""

    page_size_param: ClassVar[str | None] = None
    link_style: ClassVar[str | None] = None

    def first_params(self) -> dict[str, Any]:
        return {}

    def page_records(self) -> int | None:
        return None

    def next_url(self, body: Mapping[str, Any]) -> str | None:
        return None

    def fake_page(self, page: FakePage, body: Mapping[str, Any], url: LinkTo) -> tuple[dict[str, Any], dict[str, Any]]:
        if page.n or not page.last:
            raise ValueError("a list served whole comes in one response")
        return page.query(self, {}), dict(body)


def request_key(url: str, ignore: str | None = None) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """What a URL asks for: host, path and parameters in any order (`ignore`: a parameter that does not change which
    records come back, such as the page size)."""
    parts = urlsplit(url)
    query = tuple(sorted(item for item in parse_qsl(parts.query, keep_blank_values=True) if item[0] != ignore))
    return parts.netloc.lower(), parts.path, query


class PageWalk:
    """One read of a stream's pages, from its first page (or the one a cut sync stopped at) to its last: the page to
    ask for next, and the pages asked for so far (a next page among them would be a loop). `ignore`: a parameter
    that does not change which records come back (the page size)."""

    def __init__(self, stream: str, start_url: str | None, ignore: str | None = None) -> None:
        self.next_url = start_url  # None: the endpoint's first page, with its first parameters
        self.ended = False
        self._stream, self._ignore = stream, ignore
        self._asked: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()

    def asked(self, url: str) -> None:
        """A page answering `url` was read."""
        self._asked.add(request_key(url, self._ignore))

    def unseen(self, url: str | None) -> str | None:
        """`url`, the page a page just read leads to, unless it was read already: then following it would loop."""
        if url is not None and request_key(url, self._ignore) in self._asked:
            raise BrokenPagination(
                f"the next page of '{self._stream}' is a page already read ({url}); stopping instead of looping"
            )
        return url

    def follow(self, url: str | None) -> None:
        """The next page is `url`; None: the walk is over."""
        if url is None:
            self.ended = True
        else:
            self.next_url = url

    def stop(self) -> None:
        """The walk ends before its last page (Zendesk refused this stream; the error table said why)."""
        self.ended = True


@dataclass
class PageSize:
    """The page size a stream asks for now. Zendesk answers an export page it cannot build in time with 504
    ("upstream request timeout"): the error table then asks for a smaller page, `shrink` halves the size (never
    below `minimum`), and after `recover_after` pages read at a reduced size it doubles again, so one heavy stretch
    of tickets does not slow the rest of the sync. Mutable, one per stream instance."""

    maximum: int
    minimum: int = 50
    recover_after: int = 5
    current: int = field(init=False)
    _read_since_shrink: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.current = self.maximum

    def can_shrink(self) -> bool:
        return self.current > self.minimum

    def shrink(self) -> int:
        self.current = max(self.minimum, self.current // 2)
        self._read_since_shrink = 0
        return self.current

    def page_read(self) -> None:
        if self.current < self.maximum:
            self._read_since_shrink += 1
            if self._read_since_shrink >= self.recover_after:
                self.current = min(self.maximum, self.current * 2)
                self._read_since_shrink = 0

    def applied_to(self, url: str, param: str) -> str:
        """A next-page URL asking for the current size. Zendesk's next-page URLs repeat the size the first request
        asked for, or none (its default page is the maximum): rewritten only when that is not the current size."""
        asked = dict(parse_qsl(urlsplit(url).query)).get(param, str(self.maximum))
        return url if asked == str(self.current) else with_param(url, param, self.current)


def with_param(url: str, name: str, value: Any) -> str:
    """`url` with query parameter `name` set to `value`."""
    parts = urlsplit(url)
    # Other parameters are kept byte for byte: a cursor must go back exactly as Zendesk wrote it.
    kept = [item for item in parts.query.split("&") if item and unquote(item.split("=", 1)[0]) != name]
    return parts._replace(query="&".join([*kept, urlencode({name: value})])).geturl()
