"""The one base every Zendesk stream declares itself on.

A stream is data: its endpoint, the key its records come under, its paginator and its position (state). The base
turns that into requests, checkpoints and records, and is the only place that knows how.
"""

from __future__ import annotations

import time
from abc import ABC
from collections.abc import Iterable, Mapping, MutableMapping
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
from ..config import ZendeskConfig
from ..errors import ZendeskBackoff, ZendeskErrorHandler, json_body
from ..paginators import PageSize, Paginator, pagination_error, request_key
from ..sharing import PageFeed
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
    # Another stream whose pages carry this stream's records too (a sideload, asked for with this stream's params):
    # when both are read from the same position, this one reads that stream's pages (sharing.py). Zendesk also
    # embeds the sideload in each of that stream's records, under `sideload_field`: removed there, so those records
    # are the same whether shared or not.
    shares_pages_of: str | None = None
    sideload_field: str | None = None

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
        self._migration = LegacyStateMigration(self._position.key or "", self.legacy_state_keys)
        self._next_page: Mapping[str, str] | None = None
        self._done = False
        self._feed: PageFeed | None = None
        self._follows_feed = False
        self._sideload_field: str | None = None
        # The pacer (pacing.py) is the CDK's call budget: the HTTP session asks it before every request it sends.
        super().__init__(authenticator=authenticator, api_budget=pacer)

    @property
    def url_base(self) -> str:
        return self._config.url_base

    @property
    def is_resumable(self) -> bool:
        # Only incremental streams checkpoint; full-refresh ones are small lists read whole.
        return self.supports_incremental

    def publish_pages(self, feed: PageFeed, follower: ZendeskStream) -> None:
        """Hand every page read to `feed` as well, asking Zendesk for the follower's sideload (its params) too."""
        self.params = {**self.params, **follower.params}
        self._feed, self._follows_feed, self._sideload_field = feed, False, follower.sideload_field

    def follow_pages(self, feed: PageFeed) -> None:
        """Read the pages another stream requests (from `feed`) instead of requesting them."""
        self._feed, self._follows_feed = feed, True

    def get_error_handler(self) -> ZendeskErrorHandler:
        return ZendeskErrorHandler(
            self.logger,
            self.name,
            self._config.host,
            refreshable=self._refreshable,
            can_shrink_page=lambda: self._page_size is not None and self._page_size.can_shrink(),
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
            return dict(self.params)
        first = {**self.paginator.first_params(), **self.params, **self._position.request_params()}
        if self._page_size:
            first[self.paginator.page_size_param] = self._page_size.current
        return first

    def request_kwargs(self, *args: Any, **kwargs: Any) -> Mapping[str, Any]:
        # No redirects: a redirect could lead to a host other than <subdomain>.zendesk.com (the table fails on 3xx).
        return {"timeout": self._waits.request_timeout, "allow_redirects": False}

    def _sized(self, url: str) -> str:
        if self._page_size is None:
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
        # One slice per page. The CDK emits the stream's state after every slice, so every page is a checkpoint
        # (per-record intervals would cut pages in the middle). Slices are produced lazily: the next one exists
        # only if the page just read pointed to another.
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
        if self._feed is not None and self._follows_feed:
            response = self._feed.receive()
        else:
            response = self._fetch_page(stream_slice, stream_state)
            if self._feed is not None:
                self._feed.publish(response)
                if response.ok and self._sideload_field:
                    for row in self._records(response):
                        row.pop(self._sideload_field, None)
        self._done = True
        if not response.ok:
            return  # a 403 the error table ignores: the handler logged why; this stream stops, its state unmoved
        self._visited.add(self._request_key(response.request.url or ""))
        yield from self.parse_response(response, stream_state=stream_state or {})
        if self._page_size:
            self._page_size.page_read()
        token = self.next_page_token(response)
        next_url = self._position.advance(json_body(response), self._records(response), token and token["url"])
        if next_url is None:
            self._position.complete()
        else:
            self._next_page, self._done = {"url": next_url}, False

    def _fetch_page(
        self, stream_slice: Mapping[str, Any] | None, stream_state: Mapping[str, Any] | None
    ) -> requests.Response:
        """The next page; asked again with a smaller page size for as long as the error table says Zendesk timed
        out building it (it only says so while the size can still shrink, so this ends)."""
        while True:
            try:
                return self._fetch_next_page(stream_slice, stream_state, self._next_page)[1]
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
        records = json_body(response).get(self.records_key)
        if not isinstance(records, list):
            raise pagination_error(f"a page of '{self.name}' has no '{self.records_key}' list")
        if not all(isinstance(row, dict) for row in records):
            raise pagination_error(f"a page of '{self.name}' holds a record that is not an object")
        return records
