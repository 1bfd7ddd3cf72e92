"""The floor: the least a CDK 7 source can do to read the pages our connector reads.

One bare `HttpStream` per stream of the connector's catalog (`source_zendesk_support.streams.STREAMS`), each derived
from the stream's class: its endpoint, records key, the first request's parameters (its paginator's page size, its
fixed parameters, where its position starts a first sync) and the next-page style its paginator names (`link_style`).
One `orjson.loads` per page, records emitted as Zendesk sent them (no state logic, no filtering, no checks); a stream
whose records are made from the page's rows (the ticket event export's comments and field changes, the routing
attribute definitions' two lists) makes them with the stream class's own rule. Its records per CPU-second are what
the CDK's read loop allows at best; the benchmark compares ours against it.

Pages several streams read are requested once, as ours does (sharing.py): the family's own stream (`pages_of`)
requests them, asking for every sideload its selected followers need, and keeps on disk, page by page, what each
follower reads of them (the metric sets, the identities, the ticket events, the ticket ids a per-parent list is asked
for); the followers then emit from there (the CDK reads streams one after another, so the publisher goes first). A
stream whose records Zendesk lists only per parent row (`per_parent`, side_conversations) asks for them row by row,
one CDK slice per row, every page of each.

    .venv/bin/python -m bench.floor read --config c.json --catalog cat.json     # spec, discover and read work
"""

from __future__ import annotations

import calendar
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson
import requests
from airbyte_cdk.entrypoint import launch
from airbyte_cdk.models import AirbyteMessage, ConfiguredAirbyteCatalog, ConnectorSpecification, SyncMode
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy
from airbyte_cdk.sources.streams.http.requests_native_auth import BasicHttpAuthenticator, TokenAuthenticator

from scripts.airbyte_run import AWAITING_EMULATOR
from source_zendesk_support.per_parent import PerParentList
from source_zendesk_support.state import AuditWalkPosition, EndTimePosition, ExportPosition, ListPosition
from source_zendesk_support.streams import STREAMS, ZendeskStream, stream_name
from source_zendesk_support.streams.base import merge_params


def _next_url(body: Mapping[str, Any], style: str | None) -> str | None:
    """The next page's URL by the paginator's `link_style` (paginators.Paginator), read here without its code."""
    if style is None:
        return None
    if style == "links":
        return body["links"]["next"] if body["meta"]["has_more"] else None
    if style == "next_page_until_empty":  # the article export: no end_of_stream, an empty page or a null ends it
        return body["next_page"] if body.get("next_page") and body.get("articles") else None
    if style in ("before_url", "next_page_or_null"):
        return body.get(style.removesuffix("_or_null"))
    return None if body["end_of_stream"] else body[style]


@dataclass(frozen=True)
class Table:
    """How one stream of the connector reads, as the floor (and report.py's request minimums) need it."""

    stream: type[ZendeskStream]

    @cached_property
    def name(self) -> str:
        return stream_name(self.stream)

    @property
    def family(self) -> str:
        """The stream whose pages this one reads (itself when it has its own endpoint)."""
        return self.stream.pages_of or self.name

    @property
    def per_parent(self) -> PerParentList | None:
        return self.stream.per_parent

    @property
    def rows_key(self) -> str:
        """The list this stream reads on each page: its records, or for a per-parent list the parent rows."""
        position = self.stream.position
        return position.observe if self.per_parent is not None and position.observe else self.stream.records_key

    @property
    def style(self) -> str | None:
        return self.stream.paginator.link_style

    @property
    def page_size(self) -> int | None:
        return self.stream.paginator.page_records()

    @property
    def trailing_pages(self) -> int:
        """Requests past the last page holding records: 1 for a list whose last page still names a next one, its end
        shown by an empty page (the article export: Zendesk's `next_page` is null only there), else 0."""
        return 1 if self.style == "next_page_until_empty" else 0

    @property
    def filtered(self) -> bool:
        """Whether Zendesk filters the pages by the stream's position (an export from a time, a list from a
        `start_time`/`since`, the audit walk stopping at the previous state): after a change only the pages holding
        the changes are read; otherwise the list is read whole."""
        position = self.stream.position
        if isinstance(position, ListPosition):
            return position.since_param is not None
        return isinstance(position, (ExportPosition, EndTimePosition, AuditWalkPosition))

    def first_params(self, start: int, followers: Iterable[Table] = ()) -> dict[str, Any]:
        position = self.stream.position.bind(start, time.time, self.name)
        params = merge_params(self.stream.params, {})
        for follower in followers:
            params = merge_params(params, follower.stream.params)
        return {**self.stream.paginator.first_params(), **params, **position.request_params()}

    def records(self, rows: Any) -> Iterable[Any]:
        """The stream's records among a page's rows (under its records key), made the stream class's way when they are
        not the rows themselves."""
        from_event = getattr(self.stream, "from_event", None)
        if from_event is not None:
            return (record for row in rows for record in from_event(row))
        if isinstance(rows, Mapping):  # an object of lists (attribute definitions' conditions_all/any)
            return (record for value in rows.values() if isinstance(value, list) for record in value)
        return rows


# The catalog's streams the emulator serves (the benchmark's account): those awaiting it are left out until it does.
TABLES: dict[str, Table] = {stream_name(stream): Table(stream) for stream in STREAMS
                            if stream_name(stream) not in AWAITING_EMULATOR}


def publishers(selected: Iterable[str]) -> dict[str, str | None]:
    """For each selected stream, the selected stream whose pages it reads (None: it requests its own), chosen as
    ours chooses (driver.share_pages): the family's own stream, else the first that reads rows of its own."""
    families: dict[str, list[Table]] = {}
    for name in selected:
        families.setdefault(TABLES[name].family, []).append(TABLES[name])
    chosen: dict[str, str | None] = {}
    for family, members in families.items():
        members.sort(key=lambda t: (t.name != family, t.per_parent is not None))
        chosen[members[0].name] = None
        chosen.update({t.name: members[0].name for t in members[1:]})
    return chosen


# ---------------------------------------------------------------------------------------------------------------
# The streams


class RetryAfter(BackoffStrategy):
    """429: wait what Retry-After says (the CDK adds a second); anything else retried: the CDK's own backoff."""

    def backoff_time(self, response_or_exception: Any, attempt_count: int) -> float | None:
        if isinstance(response_or_exception, requests.Response) and response_or_exception.status_code == 429:
            return max(float(response_or_exception.headers.get("Retry-After", "60").split(",")[0]) - 1, 0.1)
        return None


class Spool:
    """What a publisher keeps of each page for its followers, one JSON line per page and key, in a temporary folder
    removed when the process ends."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, publisher: str, key: str) -> Path:
        return self.folder / f"{publisher}.{key}.jsonl"

    def pages(self, publisher: str, key: str) -> Iterator[Any]:
        path = self.path(publisher, key)
        if path.exists():
            with path.open("rb") as lines:
                for line in lines:
                    yield orjson.loads(line)


class FloorStream(HttpStream):
    primary_key = None

    def __init__(self, table: Table, url_base: str, start: int, spool: Spool, authenticator: Any,
                 publisher: str | None = None, followers: Iterable[Table] = ()) -> None:
        self.table, self._url_base, self._spool, self._publisher = table, url_base, spool, publisher
        self._start, self._auth, self._followers = start, authenticator, tuple(followers)
        self._params = table.first_params(start, self._followers)
        # What the followers read of a page, by spool key: the rows of a key whole (None), or for per-parent lists the
        # parent rows' fields they ask by, those of every per-parent list reading the same rows (the per-article streams
        # share the articles: one asks by `vote_count`, another only by `id`).
        self._keeps: dict[str, tuple[str, tuple[str, ...] | None]] = {}  # key -> (rows key, fields or None)
        for follower in self._followers:
            key = _spool_key(follower)
            fields = None if follower.per_parent is None else (*(self._keeps.get(key, ("", ()))[1] or ()),
                                                             *follower.per_parent.fields)
            self._keeps[key] = (follower.rows_key, None if fields is None else tuple(dict.fromkeys(fields)))
        super().__init__(authenticator=authenticator)

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def url_base(self) -> str:
        return self._url_base

    @property
    def is_resumable(self) -> bool:
        # All pages in one slice, one final STATE: the plainest read the CDK offers. (A resumable full refresh would
        # need the CDK's page cursor, which HttpStream drops when read_records is overridden, as followers do.)
        return False

    def get_json_schema(self) -> Mapping[str, Any]:
        return {"type": "object", "additionalProperties": True}

    def get_backoff_strategy(self) -> BackoffStrategy:
        return RetryAfter()

    def path(self, *, next_page_token: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
        return next_page_token["url"] if next_page_token else self.table.stream.endpoint

    def request_params(self, stream_state: Any, stream_slice: Any = None, next_page_token: Any = None) -> dict:
        return {} if next_page_token else dict(self._params)

    def next_page_token(self, response: requests.Response) -> Mapping[str, Any] | None:
        url = _next_url(response.__dict__["_body"], self.table.style)
        return {"url": url} if url else None

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Mapping[str, Any]]:
        body = response.__dict__["_body"] = orjson.loads(response.content)
        for key, (rows_key, fields) in self._keeps.items():
            rows = body.get(rows_key) or []
            if fields is not None:
                rows = [{field: row.get(field) for field in fields} for row in rows]
            with self._spool.path(self.name, key).open("ab") as spool:
                spool.write(orjson.dumps(rows) + b"\n")
        if self.table.per_parent is not None:
            return ()  # a per-parent list reading its parent pages itself: the rows are spooled above, as its own key
        return self.table.records(body.get(self.table.rows_key) or [])

    def read_records(self, sync_mode: SyncMode, *args: Any, **kwargs: Any) -> Iterable[Mapping[str, Any]]:
        if self._publisher is not None:
            for rows in self._spool.pages(self._publisher, _spool_key(self.table)):
                yield from self.table.records(rows)
            return
        yield from super().read_records(sync_mode, *args, **kwargs)


class FloorPerParent(FloorStream):
    """A per-parent list: one slice per parent row (from its publisher's spool, or from the parent pages it reads itself
    first), every page of that row's records. A nested list (an article's comments, then each comment's votes) first
    asks every level above the last for each row, keeping the fields the next level is asked by."""

    def __init__(self, table: Table, *args: Any, **kwargs: Any) -> None:
        super().__init__(table, *args, **kwargs)
        assert table.per_parent is not None
        self._levels = [table.per_parent]
        while self._levels[-1].nested is not None:
            self._levels.append(self._levels[-1].nested)  # type: ignore[arg-type]  # checked by the loop
        leaf = self._levels[-1]
        self._child_params = {**leaf.paginator.first_params(), **leaf.params}
        self._child_style = leaf.paginator.link_style
        self._leaf_key = leaf.records_key or table.stream.records_key

    def stream_slices(self, **kwargs: Any) -> Iterable[Mapping[str, Any] | None]:
        publisher = self._publisher
        if publisher is None:  # no other stream reads the parent pages: read them first, keeping the rows
            parent = FloorStream(self.table, self._url_base, self._start, self._spool, self._auth, None, [self.table])
            for _ in parent.read_records(SyncMode.full_refresh):
                pass
            publisher = self.name
        rows: Iterable[Mapping[str, Any]] = (
            row for page in self._spool.pages(publisher, _spool_key(self.table)) for row in page)
        for level, below in zip(self._levels, self._levels[1:], strict=False):
            rows = list(self._rows_of(level, below, rows))
        leaf = self._levels[-1]
        # A position kept per row (custom object records) starts each row's list at that row's place (row_state.py).
        position = self.table.stream.position.bind(self._start, time.time, self.name)
        for row in rows:
            if not _skipped(row, leaf):
                yield {"path": leaf.path.format(**row), "params": position.row_params(row)}

    def _rows_of(self, level: PerParentList, below: PerParentList, parents: Iterable[Mapping[str, Any]]) -> Iterator[dict]:
        """Every page of each parent's list at `level`, each row cut to the fields `below` is asked by."""
        params = {**level.paginator.first_params(), **level.params}
        style, key = level.paginator.link_style, level.records_key or self.table.stream.records_key
        for parent in parents:
            if _skipped(parent, level):
                continue
            url: str | None = self._url_base + level.path.format(**parent)
            first = True
            while url:
                _, response = self._http_client.send_request(
                    "GET", url, request_kwargs={}, params=params if first else {}, dedupe_query_params=True)
                body, first = orjson.loads(response.content), False
                for row in body.get(key) or []:
                    yield {field: row.get(field) for field in below.fields}
                url = _next_url(body, style)

    def path(self, *, stream_slice: Mapping[str, Any] | None = None, next_page_token: Any = None, **kwargs: Any) -> str:
        if next_page_token:
            return next_page_token["url"]
        assert stream_slice is not None
        return stream_slice["path"]

    def request_params(self, stream_state: Any, stream_slice: Any = None, next_page_token: Any = None) -> dict:
        return {} if next_page_token else {**self._child_params, **(stream_slice or {}).get("params", {})}

    def next_page_token(self, response: requests.Response) -> Mapping[str, Any] | None:
        url = _next_url(response.__dict__["_body"], self._child_style)
        return {"url": url} if url else None

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Mapping[str, Any]]:
        body = response.__dict__["_body"] = orjson.loads(response.content)
        return body[self._leaf_key]

    def read_records(self, sync_mode: SyncMode, *args: Any, **kwargs: Any) -> Iterable[Mapping[str, Any]]:
        yield from HttpStream.read_records(self, sync_mode, *args, **kwargs)


def _skipped(row: Mapping[str, Any], level: PerParentList) -> bool:
    return not level.wants(row)


def _spool_key(follower: Table) -> str:
    return f"rows-{follower.rows_key}" if follower.per_parent is not None else follower.rows_key


class FloorSource(AbstractSource):
    def __init__(self) -> None:
        self._spool_dir = tempfile.TemporaryDirectory(prefix="floor-")  # removed when the process ends
        self._selected: list[str] = list(TABLES)

    def spec(self, logger: Any) -> ConnectorSpecification:
        return ConnectorSpecification(connectionSpecification={"type": "object"})

    def check_connection(self, logger: Any, config: Mapping[str, Any]) -> tuple[bool, Any]:
        return True, None

    def read(self, logger: Any, config: Mapping[str, Any], catalog: ConfiguredAirbyteCatalog,
             state: Any = None) -> Iterator[AirbyteMessage]:
        """The selected streams, those requesting their own pages first (the CDK reads them in catalog order)."""
        self._selected = [entry.stream.name for entry in catalog.streams if entry.stream.name in TABLES]
        chosen = publishers(self._selected)
        ordered = sorted(catalog.streams, key=lambda entry: chosen.get(entry.stream.name) is not None)
        yield from super().read(logger, config, ConfiguredAirbyteCatalog(streams=ordered), state)

    def streams(self, config: Mapping[str, Any]) -> list[FloorStream]:
        credentials = config["credentials"]
        if credentials["credentials"] == "api_token":
            auth = BasicHttpAuthenticator(f"{credentials['email']}/token", credentials["api_token"])
        else:
            auth = TokenAuthenticator(credentials["access_token"])
        start = calendar.timegm(time.strptime(config["start_date"], "%Y-%m-%dT%H:%M:%SZ"))
        url_base = f"https://{config['subdomain']}.zendesk.com/api/v2/"
        spool = Spool(Path(self._spool_dir.name))
        chosen = publishers(self._selected)
        streams: list[FloorStream] = []
        for name, table in TABLES.items():
            followers = [TABLES[other] for other, publisher in chosen.items() if publisher == name]
            kind = FloorPerParent if table.per_parent is not None else FloorStream
            streams.append(kind(table, url_base, start, spool, auth, chosen.get(name), followers))
        return streams


if __name__ == "__main__":
    launch(FloorSource(), sys.argv[1:])
