"""Where a stream's pages come from: its own requests, or the pages another stream requests.

Several streams are read from the same endpoint: tickets and ticket_metrics from the ticket export (the metric sets
are sideloaded, `include=metric_sets`), users and user_identities from the user export (`include=identities`), and
ticket_events, ticket_comments and ticket_field_history from the ticket event export. Every one of those requests
counts against Zendesk's 10-a-minute export limit, so when several of them are synced from the same position they
are read once: one stream (the publisher) requests each page, asking for every sideload its followers need, and hands
it to a `PageBroadcast`; each follower takes the pages from there in the same order instead of requesting them, and
reads them with its own records key and its own position, so each stream keeps its own state. All are read at the
same time (driver.py). A follower of the publisher's own records holds at most one page waiting (a page of
tickets is ~12 MB parsed). A follower of other records gets the page cut down (below) and packed as JSON bytes in a
temporary file, and may fall up to `LIGHT_BUDGET` bytes behind: side_conversations asks for its records ticket by
ticket (hours on a big account) and must not hold the ticket export, and the export lane behind it, to that pace.

The driver asks `share_pages` which selected streams share pages, and reads those through their page source:
`PublishedPages` (the stream requests its pages and publishes them to its followers) or `FollowedPages` (another
stream's pages). Every other stream requests its own pages; the streams themselves know nothing of sharing.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import requests
from airbyte_cdk.models import SyncMode
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .errors import json_body, with_json_body
from .failures import Failure
from .paginators import PageWalk
from .streams.base import ZendeskStream, merge_params

CAPACITY = 1  # pages waiting for a follower of the publisher's own records
# Bytes of cut-down pages waiting for any other follower, on disk (at least one page always fits): a ticket export
# page cut to side_conversations' fields is ~60 KB, so 1,000,000 tickets' worth is ~60 MB.
LIGHT_BUDGET = 256 * 1024 * 1024


@dataclass(frozen=True)
class _End:
    error: BaseException | None


class _Spool:
    """Cut-down pages waiting for one follower, kept in an unnamed temporary file rather than in memory.

    Why: kept as bytes objects, they stay alive between the publisher's large pages, and the allocator cannot give
    the memory around them back: measured at 100,000 tickets, 6 MB of pages waiting for side_conversations held
    27 MB more resident memory. The file is emptied whenever its follower has taken every page. Where no temporary
    file can be made, the pages wait in memory."""

    def __init__(self) -> None:
        try:
            self._file: Any = tempfile.TemporaryFile()
        except OSError:
            self._file = None
        self._memory: dict[int, bytes] = {}
        self._end = 0

    def put(self, body: bytes) -> tuple[int, int]:
        offset = self._end
        if self._file is not None:
            os.pwrite(self._file.fileno(), body, offset)
        else:
            self._memory[offset] = body
        self._end += len(body)
        return offset, len(body)

    def take(self, offset: int, size: int) -> bytes:
        if self._file is None:
            return self._memory.pop(offset)
        body = os.pread(self._file.fileno(), size, offset)
        if len(body) != size:  # only if someone else cut the file short: say so rather than parse half a page
            raise OSError(f"a waiting page was cut short in its temporary file ({len(body)} of {size} bytes)")
        return body

    def empty(self) -> None:
        """Every page was taken: start the file over."""
        if self._file is not None and self._end:
            self._file.truncate(0)
        self._end = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._memory.clear()


class _Packed:
    """A cut-down page waiting in its follower's spool until the follower takes it: several times smaller than
    parsed rows, and outside the process's memory."""

    __slots__ = ("_response", "_offset", "size")

    def __init__(self, response: requests.Response, spool: _Spool, body: bytes) -> None:
        # Only the response's status, headers and URLs are kept: its content is the publisher's, freed with its page.
        copy = requests.Response()
        copy.status_code, copy.headers, copy.url, copy.request = (
            response.status_code, response.headers, response.url, response.request)
        self._response = copy
        self._offset, self.size = spool.put(body)

    def take(self, spool: _Spool) -> bytes:
        return spool.take(self._offset, self.size)

    def unpack(self, body: bytes) -> requests.Response:
        page = requests.Response()
        source = self._response
        page.status_code, page.headers, page.url, page.request = (
            source.status_code, source.headers, source.url, source.request)
        return with_json_body(page, orjson.loads(body))


class PageBroadcast:
    """The pages one stream requests, handed to the streams that follow it.

    `records_key` is where the publisher's records are on a page. A follower that reads other records than the
    publisher's (a sideload, or the parent rows of per-parent lists) receives the page with the publisher's records cut
    down to `keep_fields` (the fields the followers read of them: the cursor their positions observe, the ids a
    per-parent list is asked for by), so it does not keep the publisher's large records alive (a ticket page is ~4 MB of
    JSON, ~12 MB in memory); a follower that reads the same records receives the page as it came."""

    def __init__(self, publisher: str, records_key: str, followers: Iterable[tuple[str, bool, str]],
                 keep_fields: Iterable[str] = (), capacity: int = CAPACITY, light_budget: int = LIGHT_BUDGET) -> None:
        """`followers`: each follower's name, whether its records are the publisher's own, and the list on a page it
        reads (its records, e.g. the `metric_sets` sideload, or the publisher's rows it asks per-parent lists by)."""
        self.publisher = publisher
        self._records_key, self._keep = records_key, tuple(keep_fields)
        self._whole = {name: whole for name, whole, _ in followers}
        self._reads = {name: reads for name, _, reads in followers}
        self._pages: dict[str, deque[requests.Response | _Packed | _End]] = {name: deque() for name in self._whole}
        self._spools = {name: _Spool() for name, whole in self._whole.items() if not whole}
        self._capacity, self._light_budget = capacity, light_budget
        self._changed = threading.Condition()

    @property
    def followers(self) -> tuple[str, ...]:
        return tuple(self._whole)

    def publish(self, response: requests.Response) -> None:
        """Called by the publisher after each page it read; waits while a follower is as far behind as it may be."""
        light: dict[str, bytes] = {}
        if response.ok:
            light = {name: self._cut_for(response, key) for name, key in self._reads.items() if not self._whole[name]}
        with self._changed:
            while any(self._full(name, pages) for name, pages in self._pages.items()):
                self._changed.wait()
            for name, pages in self._pages.items():
                body = light.get(name)
                pages.append(response if body is None else _Packed(response, self._spools[name], body))
            self._changed.notify_all()

    def wait_for_room(self) -> None:
        """Called by the publisher before it requests a page: returns once every follower of its own records took
        the last page. Requesting only then keeps two pages alive, not three: the one the followers read, and the
        new one (the publisher still requests a page while its followers read the one before)."""
        with self._changed:
            while any(pages and self._whole[name] for name, pages in self._pages.items()):
                self._changed.wait()

    def _full(self, follower: str, pages: deque[requests.Response | _Packed | _End]) -> bool:
        if self._whole[follower]:
            return len(pages) >= self._capacity
        return bool(pages) and sum(page.size for page in pages if isinstance(page, _Packed)) >= self._light_budget

    def close(self, error: BaseException | None = None) -> None:
        """The publisher is done, or failed with `error`."""
        with self._changed:
            for pages in self._pages.values():
                pages.append(_End(error))
            self._changed.notify_all()

    def abandon(self, follower: str) -> None:
        """`follower` stopped reading: the publisher must not wait for it."""
        with self._changed:
            self._pages.pop(follower, None)
            spool = self._spools.pop(follower, None)
            if spool is not None:
                spool.close()
            self._changed.notify_all()

    def receive(self, follower: str) -> requests.Response:
        """The next page the publisher read (the follower asks exactly when it would have requested one)."""
        with self._changed:
            pages = self._pages.get(follower)
            if pages is None:
                raise self._ended(follower, None)
            while not pages:
                self._changed.wait()
            item = pages.popleft()
            body = b""
            if isinstance(item, _End):
                pages.appendleft(item)  # every later call gets the same answer
            elif isinstance(item, _Packed):
                spool = self._spools[follower]
                body = item.take(spool)
                if not any(isinstance(page, _Packed) for page in pages):
                    spool.empty()
            self._changed.notify_all()
        if isinstance(item, _End):
            raise self._ended(follower, item.error)
        return item.unpack(body) if isinstance(item, _Packed) else item

    def _cut_for(self, response: requests.Response, reads: str) -> bytes:
        """The page as one follower needs it: its own records, the publisher's rows cut to `keep_fields`, and the
        page's scalars and objects (cursors, end_time, links); other sideloads (a ticket page's metric sets for
        side_conversations) are left out."""
        body = json_body(response)
        light = {key: value for key, value in body.items()
                 if key != self._records_key and (key == reads or not isinstance(value, list))}
        records = body.get(self._records_key)
        if isinstance(records, list):
            light[self._records_key] = [
                {field: row.get(field) for field in self._keep} if isinstance(row, dict) else row for row in records
            ]
        else:
            light[self._records_key] = records  # the follower's position reports the bad shape
        return orjson.dumps(light)

    def _ended(self, follower: str, error: BaseException | None) -> Failure:
        if error is None:
            problem = f"'{self.publisher}' stopped before the last page"
        else:
            problem = f"'{self.publisher}' failed ({type(error).__name__}: {str(error)[:300]})"
        message = (f"Stream '{follower}' is read from the same pages as '{self.publisher}', and {problem}; "
                   f"'{follower}' stops at the last page it received and resumes from there next time.")
        return Failure(message)


class PublishedPages:
    """The pages a stream requests itself and hands to the streams following it: every page read is published to the
    broadcast, and the fields Zendesk embeds for the followers in each record (`embedded`, e.g. the ticket's
    `metric_set`) are removed, so the publisher's records are the same whether it has followers or not. `sideloads`:
    the parameters the followers' records need besides the stream's own (`include=metric_sets`)."""

    def __init__(self, stream: ZendeskStream, broadcast: PageBroadcast, embedded: Iterable[str] = (),
                 sideloads: Mapping[str, Any] | None = None) -> None:
        self._stream, self.broadcast, self._embedded = stream, broadcast, tuple(embedded)
        self._sideloads = dict(sideloads or {})

    def next_page(self, walk: PageWalk) -> requests.Response:
        self.broadcast.wait_for_room()
        response = self._stream.request_page(walk, self._sideloads)
        self.broadcast.publish(response)
        if response.ok and self._embedded:
            rows = json_body(response).get(self._stream.page_key)
            for row in rows if isinstance(rows, list) else ():  # a page of another shape fails its reading
                for field in self._embedded:
                    if isinstance(row, dict):
                        row.pop(field, None)
        return response

    def end(self, error: BaseException | None) -> None:
        self.broadcast.close(error)


class FollowedPages:
    """The pages another stream requests, taken from its broadcast."""

    def __init__(self, broadcast: PageBroadcast, follower: str) -> None:
        self.broadcast, self._follower = broadcast, follower

    def next_page(self, walk: PageWalk) -> requests.Response:
        return self.broadcast.receive(self._follower)

    def end(self, error: BaseException | None) -> None:
        self.broadcast.abandon(self._follower)


PageSource = PublishedPages | FollowedPages


def share_pages(streams: Sequence[tuple[ZendeskStream, SyncMode]],
                saved_state: Callable[[ZendeskStream], Mapping[str, Any]]) -> dict[str, PageSource]:
    """The streams among `streams` (each with its sync mode) that share pages, by name, and how: a stream reading
    the pages of another stream selected too (its family: `pages_of`) from the same position (or in a full refresh
    of a list the other reads whole anyway) follows that stream's broadcast. The family's own stream publishes when
    selected, else the first selected that reads its records from the pages themselves (one asking for per-parent
    lists row by row goes at the pace of those requests, and stops when Zendesk refuses them: its followers would
    wait on it, then fail). Every other stream requests its own pages. `saved_state`: a stream's state as the sync
    started."""
    sources: dict[str, PageSource] = {}
    families: dict[str, list[tuple[ZendeskStream, SyncMode]]] = {}
    for stream, mode in streams:
        families.setdefault(stream.pages_of or stream.name, []).append((stream, mode))
    for family, members in families.items():
        members.sort(key=lambda member: (member[0].name != family, member[0].per_parent is not None))
        publisher, publisher_mode = members[0]
        followers = [stream for stream, mode in members[1:]
                     if _reads_same_pages(stream, mode, publisher, publisher_mode, saved_state)]
        if not followers:
            continue
        # A follower reading other records than the publisher's gets the publisher's rows cut to the fields it reads.
        keep = sorted({name for f in followers if f.position.observe == publisher.page_key for name in _fields_read(f)})
        broadcast = PageBroadcast(publisher.name, publisher.page_key,
                                  [(f.name, f.records_key == publisher.page_key, f.page_key) for f in followers], keep)
        embedded = [f.embedded_as for f in followers if f.embedded_as and f.pages_of == publisher.name]
        sideloads: dict[str, Any] = {}
        for follower in followers:
            sideloads = merge_params(sideloads, follower.params)
            sources[follower.name] = FollowedPages(broadcast, follower.name)
        sources[publisher.name] = PublishedPages(publisher, broadcast, embedded, sideloads)
    return sources


def _reads_same_pages(stream: ZendeskStream, mode: SyncMode, publisher: ZendeskStream, publisher_mode: SyncMode,
                      saved_state: Callable[[ZendeskStream], Mapping[str, Any]]) -> bool:
    """Whether `stream` would ask for the very pages `publisher` asks for (it changes neither stream)."""
    try:
        if mode != publisher_mode:
            # A full refresh may take the pages of an incremental list that reads them all anyway (schedule_holidays
            # those of schedules: a list with no time filter, read from its start).
            return mode == SyncMode.full_refresh and publisher.position_at(saved_state(publisher)).reads_every_page()
        if mode != SyncMode.incremental:
            return True
        # e.g. one was added to the connection later: it catches up alone once. A follower keeping one place per row
        # (custom object records, row_state.py) reads the whole list of rows whatever its state: it takes the pages of
        # a publisher reading the list whole too.
        follower, published = stream.position_at(saved_state(stream)), publisher.position_at(saved_state(publisher))
        return follower.state == published.state or (getattr(follower, "every_row", False) and published.reads_every_page())
    except AirbyteTracedException:
        return False  # each reads alone, and the stream with the unusable state fails on its own


def _fields_read(stream: ZendeskStream) -> tuple[str, ...]:
    """The fields `stream` reads of the rows its position observes: the position's field, and those a per-parent
    list asks by."""
    position = stream.position
    fields = (position.field,) if position.observe and position.field else ()
    return tuple(dict.fromkeys(fields + (stream.per_parent.fields if stream.per_parent else ())))
