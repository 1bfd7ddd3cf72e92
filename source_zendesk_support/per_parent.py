"""Records Zendesk lists only per parent record: one request (and its own pages) per row of a stream's pages.

Zendesk offers some resources only under their parent, with no export and no list across parents: side
conversations are `tickets/{id}/side_conversations`. A stream whose records are such a per-parent list reads pages of
parent rows (the ticket export, whose rows its position observes) and declares `per_parent = PerParentList(...)`: for each
row of a page it asks for that row's list, all of its pages, and only then does its position move past the page
(streams/base.py). So only the rows on the pages read, the parents changed since the state, cost a request, and a
sync stopped halfway resumes at the page whose rows were not all read.

Some lists hang one level deeper: a vote on an article comment is listed under its comment, and the comments only
under their article (`help_center/articles/{a}/comments/{c}/votes`). Such a stream declares the comments' list with
the votes' list `nested` in it: each parent row's comments are read, every page of them, and each comment's votes
asked for, before the position moves past the parent's page. Every level has its own skip rule (a comment without
votes is not asked for), its own counts, and its own line in the summary.

Every request goes through the stream's own HTTP client: paced (pacing.py), retried and judged by the same error
table (errors.py), which asks `PerParentReader.skips_row` whether a refusal ends the stream or only skips one row.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from .errors import json_body
from .failures import BrokenPagination, UnreadablePage
from .paginators import Paginator, request_key
from .state import Record

Send = Callable[[str, Mapping[str, Any]], requests.Response]  # (URL or path under api/v2/, parameters) -> response


@dataclass(frozen=True)
class PerParentList:
    """How to ask for one parent row's records: `path` under api/v2/ with `{field}` placeholders filled from the row
    ("tickets/{id}/side_conversations.json"), its `paginator` and fixed `params`. Rows whose fields hold the values
    in `skip` have no such records, so they are not asked for (a deleted ticket: `{"status": "deleted"}`; an article
    nobody voted on: `{"vote_count": 0}`). `only`: the reverse, rows are asked for only when each of these fields
    (a dotted path into the row) holds one of the values given (a ticket's conversation log, only for tickets whose
    `via.channel` is a messaging channel). `noun` names a row in messages ("ticket").

    `nested`: the records of this list are themselves parents, and the stream's records are their lists (an article's
    comments, then each comment's votes); this list's records then come under `records_key` in Zendesk's answers
    (the stream's own records key otherwise).

    `gated`: Zendesk refuses these lists themselves when the account lacks the feature (side conversations need the
    Collaboration add-on), so a 404 before any row's list came back means the feature is missing and ends the stream.
    False when the parent rows' own endpoint is the gate (Help Center: its article export answers 404 itself): a 404
    for a row then only means that row went away during the sync.

    `inject`: fields of the parent row copied into each record, by the record's name for them, when Zendesk's records
    do not say which parent they belong to (a schedule's holidays: `{"schedule_id": "id"}`)."""

    path: str
    paginator: Paginator
    params: Mapping[str, Any] = field(default_factory=dict)
    skip: Mapping[str, Any] = field(default_factory=dict)
    only: Mapping[str, frozenset[Any]] = field(default_factory=dict)
    noun: str = "record"
    nested: PerParentList | None = None
    records_key: str | None = None
    gated: bool = True
    inject: Mapping[str, str] = field(default_factory=dict)

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(self.path) if name))

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields of a parent row this list reads: the path's placeholders, then the skip rule's."""
        only = (path.split(".", 1)[0] for path in self.only)
        return tuple(dict.fromkeys([*self.placeholders, *self.skip, *only, *self.inject.values()]))

    def wants(self, row: Record) -> bool:
        """Whether `row` can have these records: no skip rule says it has none, and every `only` rule holds."""
        if any(row.get(name) == value for name, value in self.skip.items()):
            return False
        return all(_dig(row, path) in values for path, values in self.only.items())

    def reader(self, stream: str, records_key: str) -> PerParentReader:
        return PerParentReader(self, stream, records_key)


class PerParentReader:
    """One stream's reading of a PerParentList: what it asks, the refusals it decides on, and the counts it reports."""

    def __init__(self, spec: PerParentList, stream: str, records_key: str) -> None:
        self.spec, self._stream = spec, stream
        self._records_key = spec.records_key or records_key
        self._nested = spec.nested.reader(stream, records_key) if spec.nested is not None else None
        self._asking = False  # a request for one row's records is under way (the error table asks, errors.py)
        self._answered = False  # Zendesk listed one row's records: the endpoint exists for this account
        self.requests = self.rows = self.skipped = self.refused = 0

    @property
    def asking(self) -> bool:
        return self._asking or (self._nested is not None and self._nested.asking)

    def skips_row(self, response: requests.Response) -> bool:
        """Whether Zendesk's refusal of one row's request skips only that row (the stream goes on):
        - 404 once another row's list came back (or always, when the feature's gate is not on these lists): that
          row was deleted during the sync. Before that, a 404 may be how an account without the feature answers, so
          it ends the stream as its first request would.
        - 422: Zendesk answers it for a ticket that cannot have side conversations (the official connector has
          seen it and ignores it per ticket).
        A 403 always ends the stream: the account or the user is not allowed to read these records."""
        if self._nested is not None and self._nested.asking:
            return self._nested.skips_row(response)
        gone = response.status_code == 404 and (self._answered or not self.spec.gated)
        return response.status_code == 422 or gone

    def read(self, row: Record, send: Send, params: Mapping[str, Any] | None = None) -> Generator[Record, None, bool]:
        """The records of one row, every page of them (for a nested list, the records of each of its records);
        returns False when Zendesk refused them in a way that ends the stream (the error table has logged why), True
        otherwise. `params`: what this row's first request adds (its export's start_time, row_state.py)."""
        if not self.spec.wants(row):
            self.skipped += 1
            return True
        self.rows += 1
        url: str | None = self._path(row)
        query: Mapping[str, Any] = {**self.spec.paginator.first_params(), **self.spec.params, **(params or {})}
        visited: set[Any] = set()
        while url is not None:
            visited.add(request_key(url))
            self.requests += 1
            self._asking = True
            try:
                response = send(url, query)
            finally:
                self._asking = False
            if not response.ok:
                if not self.skips_row(response):
                    return False
                self.refused += 1
                return True
            self._answered = True
            body = json_body(response)
            if not (yield from self._emit(self._records(body, row), send)):
                return False
            url, query = self.spec.paginator.next_url(body), {}  # Zendesk's next-page URLs carry every parameter
            if url is not None and request_key(url) in visited:
                raise BrokenPagination(f"the next page of a {self.spec.noun}'s '{self._stream}' is a page already "
                                       f"read ({url}); stopping instead of looping")
        return True

    def _emit(self, records: Iterable[Record], send: Send) -> Generator[Record, None, bool]:
        """The stream's records of one page of this list: the page's own, or those of the nested list of each."""
        if self._nested is None:
            yield from records
            return True
        for record in records:
            if not (yield from self._nested.read(record, send)):
                return False
        return True

    def summary(self) -> str:
        return f"{self._stream}: {self._counts()}"

    def _counts(self) -> str:
        noun = self.spec.noun
        line = f"{self.requests} per-{noun} requests for {self.rows} {noun}s"
        if self.skipped or self.refused:
            line += f" ({self.skipped} {noun}s skipped as they cannot have any, {self.refused} refused by Zendesk)"
        return line if self._nested is None else f"{line}; {self._nested._counts()}"

    def _path(self, row: Record) -> str:
        values = {}
        for name in self.spec.placeholders:
            value = row.get(name)
            if not ((type(value) is int and value >= 0) or (isinstance(value, str) and value.strip())):
                raise UnreadablePage(self._stream, f"a {self.spec.noun}'s '{name}' is not an id ({repr(value)[:40]})")
            values[name] = quote(str(value), safe="")  # a value never reaches another path or the query
        return self.spec.path.format(**values)

    def _records(self, body: Mapping[str, Any], parent: Record) -> list[Record]:
        records = body.get(self._records_key)
        if not isinstance(records, list):
            raise BrokenPagination(f"a page of a {self.spec.noun}'s '{self._stream}' has no '{self._records_key}' list")
        if not all(isinstance(row, dict) for row in records):
            raise BrokenPagination(f"a page of a {self.spec.noun}'s '{self._stream}' holds a record that is not an object")
        if self.spec.inject:
            known = {name: parent.get(source) for name, source in self.spec.inject.items()}
            return [{**record, **known} for record in records]
        return records


def _dig(row: Record, path: str) -> Any:
    """The value at a dotted path in a row (`via.channel`), None where the row has no such key or object."""
    value: Any = row
    for name in path.split("."):
        value = value.get(name) if isinstance(value, Mapping) else None
    return value if isinstance(value, str | int | bool) or value is None else None
