"""The one base every Zendesk stream declares itself on.

A stream is data: its endpoint, the key its records come under, its paginator and its position (state). The base
turns that into requests, checkpoints and records, and is the only place that knows how.
"""

from __future__ import annotations

import time
from abc import ABC
from collections.abc import Generator, Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

import requests
from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.sources.streams.call_rate import AbstractAPIBudget
from airbyte_cdk.sources.streams.core import CheckpointMixin, StreamData
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.streams.http.page_size_reduction_exception import PageSizeReductionRequiredException
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from requests.auth import AuthBase

from ..auth import can_refresh
from ..cdk import fetch_page, send
from ..config import ZendeskConfig
from ..errors import ZendeskBackoff, ZendeskErrorHandler, drop_raw_body, json_body
from ..paginators import PageSize, Paginator, pagination_error, request_key
from ..per_parent import PerParentList, PerParentReader
from ..sharing import OwnRequests, PageSource
from ..state import Clock, FullRefresh, LegacyStateMigration, Position, Record, state_error
from ..waits import DEFAULT_WAITS, Waits


def _now() -> float:
    return time.time()


class ZendeskStream(HttpStream, CheckpointMixin, ABC):
    primary_key: str = "id"
    endpoint: str  # relative to https://<subdomain>.zendesk.com/api/v2/
    records_key: str  # the response key holding the records
    paginator: Paginator
    position: Position = FullRefresh()  # a prototype: each instance works on its own bound copy
    params: Mapping[str, Any] = {}  # fixed parameters of the first request
    legacy_state_keys: tuple[tuple[str, ...], ...] = ()  # where the official connector kept this stream's position
    # The plan, add-on or feature the stream needs when not every account has it ("the Enterprise plan"): without
    # it Zendesk answers 403 or 404, and the stream is skipped with a warning that says so.
    requires: str | None = None
    # The stream whose requests bring this stream's records too (the same endpoint, or a sideload asked for with this
    # stream's params), and the field under which Zendesk also embeds this stream's record in each of that stream's
    # records. When both are synced from the same position they read the same pages (sharing.py).
    pages_of: str | None = None
    embedded_as: str | None = None
    # Records Zendesk lists only per parent record (per_parent.py): the stream's pages are parent rows, the ones its
    # position observes, and its records are asked for row by row before its position moves past their page.
    per_parent: PerParentList | None = None

    def __init__(
        self,
        config: ZendeskConfig,
        authenticator: AuthBase,
        clock: Clock = _now,
        waits: Waits = DEFAULT_WAITS,
        pacer: AbstractAPIBudget | None = None,
    ) -> None:
        self._config = config
        self._waits = waits
        self._refreshable = can_refresh(authenticator)
        param = self.paginator.page_size_param
        self._page_size = PageSize(self.paginator.first_params()[param]) if param else None
        self._position = type(self).position.bind(config.start_time, clock, self.name)
        self._per_parent: PerParentReader | None = None
        if self.per_parent is not None:
            if not self._position.observe:
                raise TypeError(f"{type(self).__name__}: a stream with per-parent lists needs a position observing its rows")
            self._per_parent = self.per_parent.reader(self.name, self.records_key)
        self._migration = LegacyStateMigration(self._position.key or "", self.legacy_state_keys)
        self._next_page: Mapping[str, str] | None = None
        self._done = False
        self._pages: PageSource = OwnRequests()
        self._extra_params: dict[str, Any] = {}
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
    def position_field(self) -> str | None:
        return self._position.field

    @property
    def reads_every_page(self) -> bool:
        """Whether this stream, from its state, asks for every page of its list (a full refresh can follow it)."""
        return self._position.reads_every_page()

    @property
    def observes(self) -> str | None:
        """The list on a page whose records carry this stream's position when it is not its own records."""
        return self._position.observe

    @property
    def page_key(self) -> str:
        """The list on each page this stream reads: its records, or the parent rows it asks for their lists."""
        return self._position.observe if self._per_parent is not None and self._position.observe else self.records_key

    @property
    def observed_fields(self) -> tuple[str, ...]:
        """The fields this stream reads of the rows its position observes (sharing.py keeps them for it)."""
        fields = (self.position_field,) if self.observes and self.position_field else ()
        return tuple(dict.fromkeys(fields + (self.per_parent.fields if self.per_parent else ())))

    @property
    def family(self) -> str:
        """The streams of one family read the same endpoint: named after the stream whose pages they are."""
        return self.pages_of or self.name

    def read_pages_from(self, source: PageSource, followers: Iterable[ZendeskStream] = ()) -> None:
        """Where this stream's pages come from (sharing.py); a publisher also asks for its followers' sideloads."""
        self._pages = source
        for follower in followers:
            self._extra_params = merge_params(self._extra_params, follower.params)

    def end_of_pages(self, error: BaseException | None) -> None:
        """The read ended (`error`: how): the page source lets the streams sharing it know."""
        self._pages.end(error)

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
        incoming = dict(value or {})
        if self._migration.should_migrate(incoming):
            incoming = self._migration.migrate(incoming)
        self._position.load(incoming)
        ahead = self._position.ahead_of_now()
        if ahead:
            self.logger.warning(
                f"The saved state of stream '{self.name}' lies in the future ({ahead}): records changed before then "
                "are not read again. If that is wrong, reset this stream in Airbyte to sync it from the start date."
            )

    # -- requests ----------------------------------------------------------------------------------------------------
    def path(
        self,
        *,
        stream_state: Mapping[str, Any] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> str:
        if not next_page_token:
            return self.endpoint
        return self._sized(self._own_host(next_page_token["url"]))

    def request_params(
        self,
        stream_state: Mapping[str, Any] | None,
        stream_slice: Mapping[str, Any] | None = None,
        next_page_token: Mapping[str, Any] | None = None,
    ) -> MutableMapping[str, Any]:
        if next_page_token:
            # Zendesk's next-page URLs carry the parameters of the first request; the fixed ones (include=...,
            # exclude_deleted=...) are added only if a URL dropped them (the CDK dedupes identical ones).
            return merge_params(self.params, self._extra_params)
        first = {**self.paginator.first_params(), **merge_params(self.params, self._extra_params),
                 **self._position.request_params()}
        if self._page_size and self.paginator.page_size_param:
            first[self.paginator.page_size_param] = self._page_size.current
        return first

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
            raise AirbyteTracedException(
                message=message, internal_message=message, failure_type=FailureType.system_error
            )
        return url

    def _is_own_host(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            parts.scheme == "https"
            and parts.hostname == self._config.host
            and parts.port in (None, 443)
            and "@" not in parts.netloc
        )

    # -- pages -------------------------------------------------------------------------------------------------------
    def stream_slices(
        self,
        *,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any] | None]:
        # One slice per page. The driver (driver.py) emits the stream's state after every slice, so every page is a
        # checkpoint (per-record intervals would cut pages in the middle). Slices are produced lazily: the next one
        # exists only if the page just read pointed to another.
        if sync_mode == SyncMode.full_refresh:
            self._position.reset()  # a full refresh starts from start_date whatever state was saved
        resume = self._position.resume_url()
        if resume and not self._is_own_host(resume):
            raise state_error(self.name, f"it resumes at a URL outside {self._config.host}")
        self._next_page = {"url": resume} if resume else None
        self._done = False
        self._visited: set[Any] = set()  # every page this read asked for: a next page among them is a loop
        page = 0
        while not self._done:
            yield {"page": page}
            page += 1

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[StreamData]:
        response = self._pages.next_page(lambda: self._fetch_page(stream_slice, stream_state), self._records)
        self._done = True
        if not response.ok:
            return  # a 403 the error table ignores: the handler logged why; this stream stops, its state unmoved
        self._visited.add(self._request_key(response.request.url or ""))
        json_body(response)
        drop_raw_body(response)
        if self._per_parent is None:
            yield from self.parse_response(response, stream_state=stream_state or {})
            token = self.next_page_token(response)
        else:
            token = self.next_page_token(response)  # the page is checked before its rows cost a request each
            # Only the rows the position selects: an export's boundary rows already read, a list's rows unchanged
            # since the state, cost no request.
            read_whole = yield from self._read_per_parent(self._position.select(self._records(response)))
            if not read_whole:
                return  # Zendesk refused a row's list for the whole stream (the handler said why): state unmoved
        if self._page_size:
            self._page_size.page_read()
        next_url = self._position.advance(json_body(response), self._records(response), token["url"] if token else None)
        if next_url is None:
            self._position.complete()
            if self._per_parent is not None:
                self.logger.info(self._per_parent.summary())
        else:
            self._next_page, self._done = {"url": next_url}, False

    def _read_per_parent(self, rows: Iterable[Record]) -> Generator[Record, None, bool]:
        """Every row's records, asked for row by row; False when Zendesk refused them for the whole stream."""
        assert self._per_parent is not None
        for row in rows:
            if not (yield from self._per_parent.read(row, self._send_per_parent)):
                self.logger.info(self._per_parent.summary())
                return False
        return True

    def _send_per_parent(self, url: str, params: Mapping[str, Any]) -> requests.Response:
        """A request for one row's records, through this stream's HTTP client: paced, retried and judged by the error
        table like the stream's own pages. `url` is a path under api/v2/ or, for a later page, Zendesk's own URL."""
        full = self._own_host(url) if "://" in url else self.url_base + url
        return send(self, full, params, self.request_kwargs())

    def _fetch_page(
        self, stream_slice: Mapping[str, Any] | None, stream_state: Mapping[str, Any] | None
    ) -> requests.Response:
        """The next page; asked again with a smaller page size for as long as the error table says Zendesk timed
        out building it (it only says so while the size can still shrink, so this ends)."""
        while True:
            try:
                return fetch_page(self, stream_slice, stream_state, self._next_page)
            except PageSizeReductionRequiredException as reduction:
                assert self._page_size is not None  # the error table only asks streams that can shrink
                size = self._page_size.shrink()
                self.logger.warning(f"{reduction.error_message} Asking for {size} records per page.")

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Record]:
        return self._position.select(self._records(response))

    def next_page_token(self, response: requests.Response) -> Mapping[str, str] | None:
        url = self.paginator.next_url(json_body(response))
        if url is None:
            return None
        if self._request_key(url) in self._visited:
            raise pagination_error(
                f"the next page of '{self.name}' is a page already read ({url}); stopping instead of looping"
            )
        return {"url": url}

    def _request_key(self, url: str) -> Any:
        return request_key(url, ignore=self.paginator.page_size_param)

    def _records(self, response: requests.Response) -> list[Record]:
        """The rows this stream reads on a page (`page_key`): its records, or the parents of its records."""
        records = json_body(response).get(self.page_key)
        if not isinstance(records, list):
            raise pagination_error(f"a page of '{self.name}' has no '{self.page_key}' list")
        if not all(isinstance(row, dict) for row in records):
            raise pagination_error(f"a page of '{self.name}' holds a record that is not an object")
        return records


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
