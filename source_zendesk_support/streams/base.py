"""The one base every Zendesk stream declares itself on, and what the driver asks of a stream to read one page.

A stream is data: its endpoint, the key its records come under, its paginator and its position (state). Its pages come
from one of three places, which its declaration names:
- its own requests: `endpoint` and `paginator` (an export, a list);
- another stream's pages (`pages_of`): ticket_metrics reads the metric sets sideloaded on the ticket export; when both
  are synced from the same position the driver hands it the pages the other requests (sharing.py), else it requests
  them itself from the same endpoint;
- a parent's per-row lists (`per_parent`): its pages are parent rows (the ticket export's tickets) and its records the
  list Zendesk keeps under each row (per_parent.py).

One page, from request to state (driver.py runs this loop for every stream):
`begin` starts a walk over the pages (from the first, or from the page a cut sync stopped at) → `request_page` asks
Zendesk for the walk's next page (or the page source hands over the one another stream asked for) → `read_page`
yields its records and moves the position past it (state.py: `Position.advance`) → the driver emits the state.
"""

from __future__ import annotations

import time
from abc import ABC
from collections.abc import Generator, Iterable, Iterator, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

import requests
from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams.call_rate import AbstractAPIBudget
from airbyte_cdk.sources.streams.core import CheckpointMixin
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.streams.http.page_size_reduction_exception import PageSizeReductionRequiredException
from requests.auth import AuthBase

from ..auth import can_refresh
from ..cdk import send
from ..config import ZendeskConfig
from ..errors import ZendeskBackoff, ZendeskErrorHandler, drop_raw_body, json_body
from ..failures import BrokenPagination, Failure, UnusableState
from ..paginators import PageSize, PageWalk, Paginator
from ..per_parent import PerParentList, PerParentReader
from ..state import Clock, FullRefresh, Position, Record
from ..state_file import LegacyStateMigration
from ..waits import DEFAULT_WAITS, Waits


def _now() -> float:
    return time.time()


class ZendeskStream(HttpStream, CheckpointMixin, ABC):
    primary_key: str = "id"
    natural_key: tuple[str, ...] = ()  # without a primary key: the fields that tell records apart (tests, tools)
    endpoint: str  # relative to https://<subdomain>.zendesk.com/api/v2/
    records_key: str  # the response key holding the records
    paginator: Paginator
    position: Position = FullRefresh()  # a prototype: each instance works on its own bound copy
    params: Mapping[str, Any] = {}  # fixed parameters of the first request
    legacy_state_keys: tuple[tuple[str, ...], ...] = ()  # where the official connector kept this stream's position
    # The plan, add-on or feature the stream needs when not every account has it ("the Enterprise plan"): without
    # it Zendesk answers 403 or 404, and the stream is skipped with a warning that says so.
    requires: str | None = None
    # The endpoint that counts this stream's records (under api/v2/), for the estimate sent before its first record
    # (estimates.py); None: Zendesk has no cheap count of them.
    count_endpoint: str | None = None
    # The stream whose requests bring this stream's records too (the same endpoint, or a sideload asked for with this
    # stream's params), and the field under which Zendesk also embeds this stream's record in each of that stream's
    # records. When both are synced from the same position they read the same pages (sharing.py).
    pages_of: str | None = None
    embedded_as: str | None = None
    # Records Zendesk lists only per parent record (per_parent.py): the stream's pages are parent rows, the ones its
    # position observes, and its records are asked for row by row before its position moves past their page.
    per_parent: PerParentList | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A stream is incremental when its position keeps a state, with the catalog cursor the position names: said
        once, by the position."""
        super().__init_subclass__(**kwargs)
        if "cursor_field" in vars(cls):
            raise TypeError(f"{cls.__name__}: its position says whether it is incremental and by which cursor "
                            "(Position.cursor), not cursor_field")
        if cls.position.catalog_cursor:
            setattr(cls, "cursor_field", cls.position.catalog_cursor)  # noqa: B010  # a str over the CDK's property

    def __init__(
        self,
        config: ZendeskConfig,
        authenticator: AuthBase,
        clock: Clock = _now,
        waits: Waits = DEFAULT_WAITS,
        pacer: AbstractAPIBudget | None = None,
    ) -> None:
        self._config, self._clock, self._waits = config, clock, waits
        self._refreshable = can_refresh(authenticator)
        param = self.paginator.page_size_param
        self._page_size = PageSize(self.paginator.first_params()[param]) if param else None
        self._migration = LegacyStateMigration(type(self).position.key or "", self.legacy_state_keys)
        self._position = self.position_at({})
        self._per_parent: PerParentReader | None = None
        if self.per_parent is not None:
            if not self._position.observe:
                raise TypeError(f"{type(self).__name__}: a stream with per-parent lists needs a position observing its rows")
            self._per_parent = self.per_parent.reader(self.name, self.records_key)
        # The pacer (pacing.py) is the CDK's call budget: the HTTP session asks it before every request it sends (the
        # CDK annotates APIBudget but calls only AbstractAPIBudget's methods).
        super().__init__(authenticator=authenticator, api_budget=pacer)  # type: ignore[arg-type]

    @property
    def url_base(self) -> str:
        return self._config.url_base

    @property
    def is_resumable(self) -> bool:
        # Only incremental streams checkpoint; full-refresh ones are small lists read whole.
        return self.supports_incremental

    @property
    def page_key(self) -> str:
        """The list on each page this stream reads: its records, or the parent rows it asks for their lists."""
        return self._position.observe if self._per_parent is not None and self._position.observe else self.records_key

    def get_error_handler(self) -> ZendeskErrorHandler:
        return ZendeskErrorHandler(
            self.logger,
            self.name,
            self._config.host,
            refreshable=self._refreshable,
            can_shrink_page=lambda: self._page_size is not None and self._page_size.can_shrink(),
            requires=self.requires,
            rows=self._per_parent,
        )

    def get_backoff_strategy(self) -> ZendeskBackoff:
        return ZendeskBackoff(self._waits, self.logger, self.name)

    # -- state -------------------------------------------------------------------------------------------------------
    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._position.state

    @state.setter
    def state(self, value: Mapping[str, Any] | None) -> None:
        self._position = self.position_at(value)
        ahead = self._position.ahead_of_now()
        if ahead:
            self.logger.warning(
                f"The saved state of stream '{self.name}' lies in the future ({ahead}): records changed before then "
                "are not read again. If that is wrong, reset this stream in Airbyte to sync it from the start date."
            )

    def position_at(self, state: Mapping[str, Any] | None) -> Position:
        """A new position of this stream, where a saved `state` puts it (the official connector's shapes accepted);
        the stream's own is left as it is. A state it cannot use raises a config error saying why."""
        incoming = dict(state or {})
        if self._migration.should_migrate(incoming):
            incoming = self._migration.migrate(incoming)
        position = type(self).position.bind(self._config.start_time, self._clock, self.name)
        position.load(incoming)
        return position

    # -- one page, from request to state -----------------------------------------------------------------------------
    def begin(self, sync_mode: SyncMode) -> PageWalk:
        """A walk over this stream's pages, where its position starts: a full refresh at the first page (from
        start_date, whatever state was saved), an incremental sync at its first page or at the one a cut sync
        stopped at."""
        if sync_mode == SyncMode.full_refresh:
            self._position.reset()
        resume = self._position.resume_url()
        if resume and not self._is_own_host(resume):
            raise UnusableState(f"it resumes at a URL outside {self._config.host}", self.name)
        return PageWalk(self.name, resume, ignore=self.paginator.page_size_param)

    def request_page(self, walk: PageWalk, sideloads: Mapping[str, Any] | None = None) -> requests.Response:
        """The walk's next page, asked of Zendesk through this stream's HTTP client (paced, retried and judged by the
        error table), with what the streams reading the same pages ask for besides (`sideloads`, sharing.py). Asked
        again with a smaller page size for as long as the error table says Zendesk timed out building it (it only
        says so while the size can still shrink, so this ends)."""
        params = merge_params(self.params, sideloads or {})
        size_param = self.paginator.page_size_param
        while True:
            if walk.next_url is None:
                url = self.url_base + self.endpoint
                query = {**self.paginator.first_params(), **params, **self._position.request_params()}
                if self._page_size and size_param:
                    query[size_param] = self._page_size.current
            else:
                # Zendesk's next-page URLs carry the parameters of the first request; the fixed ones (include=...,
                # exclude_deleted=...) are added only if a URL dropped them (`send` does not send one twice).
                url, query = self._sized(self._own_host(walk.next_url)), params
            try:
                return send(self, url, query, self.request_kwargs())
            except PageSizeReductionRequiredException as reduction:
                assert self._page_size is not None  # the error table only asks streams that can shrink
                size = self._page_size.shrink()
                self.logger.warning(f"{reduction.error_message} Asking for {size} records per page.")

    def read_page(self, page: requests.Response, walk: PageWalk) -> Iterator[Record]:
        """The records of one page (for a per-parent stream: the records of the lists of the rows on it); then this
        stream's position moves past the page, and the walk learns which page comes next. A page Zendesk refused (a
        403 the error table ignores: it logged why) ends the walk, the position where it was."""
        if not page.ok:
            walk.stop()
            return
        walk.asked(page.request.url or "")
        body = json_body(page)
        drop_raw_body(page)
        rows = self._records(page)
        if self._per_parent is None:
            yield from self._position.select(rows)
            next_url = walk.unseen(self.paginator.next_url(body))
        else:
            next_url = walk.unseen(self.paginator.next_url(body))  # the page is checked before its rows cost a request
            # Only the rows the position selects: an export's boundary rows already read, a list's rows unchanged
            # since the state, cost no request.
            if not (yield from self._read_per_parent(self._position.select(rows))):
                walk.stop()  # Zendesk refused a row's list for the whole stream (the handler said why): state unmoved
                return
        if self._page_size:
            self._page_size.page_read()
        next_url = self._position.advance(body, rows, next_url)
        if next_url is None:
            self._position.complete()
            if self._per_parent is not None:
                self.logger.info(self._per_parent.summary())
        walk.follow(next_url)

    def _read_per_parent(self, rows: Iterable[Record]) -> Generator[Record, None, bool]:
        """Every row's records, asked for row by row; False when Zendesk refused them for the whole stream."""
        assert self._per_parent is not None
        for row in rows:
            # The position may ask each row's list from its own place (row_state.py: custom object records).
            read = self._per_parent.read(row, self._send_per_parent, self._position.row_params(row))
            if not (yield from self._position.row_read(row, read)):
                self.logger.info(self._per_parent.summary())
                return False
        return True

    def _send_per_parent(self, url: str, params: Mapping[str, Any]) -> requests.Response:
        """A request for one row's records, through this stream's HTTP client: paced, retried and judged by the error
        table like the stream's own pages. `url` is a path under api/v2/ or, for a later page, Zendesk's own URL."""
        full = self._own_host(url) if "://" in url else self.url_base + url
        return send(self, full, params, self.request_kwargs())

    def _records(self, response: requests.Response) -> list[Record]:
        """The rows this stream reads on a page (`page_key`): its records, or the parents of its records."""
        records = json_body(response).get(self.page_key)
        if not isinstance(records, list):
            raise BrokenPagination(f"a page of '{self.name}' has no '{self.page_key}' list")
        if not all(isinstance(row, dict) for row in records):
            raise BrokenPagination(f"a page of '{self.name}' holds a record that is not an object")
        return records

    # -- requests ----------------------------------------------------------------------------------------------------
    def request_kwargs(self, *args: Any, **kwargs: Any) -> Mapping[str, Any]:
        # No redirects: a redirect could lead to a host other than <subdomain>.zendesk.com (the table fails on 3xx).
        return {"timeout": self._waits.request_timeout, "allow_redirects": False}

    def _sized(self, url: str) -> str:
        if self._page_size is None or self.paginator.page_size_param is None:
            return url
        return self._page_size.applied_to(url, self.paginator.page_size_param)

    def _own_host(self, url: str) -> str:
        """Zendesk's absolute next-page URLs are followed only on the configured host."""
        if not self._is_own_host(url):
            message = (
                f"Zendesk returned a next-page URL for '{self.name}' on another host ({urlsplit(url).hostname}); "
                f"the connector only talks to {self._config.host}."
            )
            raise Failure(message)
        return url

    def _is_own_host(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            parts.scheme == "https"
            and parts.hostname == self._config.host
            and parts.port in (None, 443)
            and "@" not in parts.netloc
        )

    # HttpStream's own page loop (`read_records`) is not used: the driver reads one page at a time (`read_page`).
    # These three answer what that loop would ask, as the CDK requires of every HttpStream.
    def path(self, *, next_page_token: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
        return next_page_token["url"] if next_page_token else self.endpoint

    def next_page_token(self, response: requests.Response) -> Mapping[str, str] | None:
        url = self.paginator.next_url(json_body(response))
        return {"url": url} if url else None

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Record]:
        return self._position.select(self._records(response))


def merge_params(params: Mapping[str, Any], more: Mapping[str, Any]) -> dict[str, Any]:
    """Request parameters of two streams reading the same pages: Zendesk takes several sideloads as one
    comma-separated `include`."""
    merged = dict(params)
    for name, value in more.items():
        if name == "include" and merged.get(name) and value not in str(merged[name]).split(","):
            merged[name] = f"{merged[name]},{value}"
        else:
            merged[name] = value
    return merged
