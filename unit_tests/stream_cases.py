"""What each stream looks like on the wire, derived from its declaration, so one set of behaviour tests runs against
every stream in `STREAMS` with no list of streams kept here.

A test describes pages as lists of items `(id, unix time)`. A case turns them into the exact requests the stream must
make (its endpoint, paginator, params and position) and the bodies Zendesk would answer (the stream's response
fixture, `resource/http/response/<stream>.json`: one page holding one record, whose envelope and record are copied;
the keys that lead from one page to the next are the paginator's own, `Paginator.fake_page`), and says what the
stream must emit and save. A new stream needs only its fixture.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from source_zendesk_support.paginators import (
    ArticleExportPaginator,
    ExportTimePaginator,
    FakePage,
    Unpaginated,
)
from source_zendesk_support.per_parent import PerParentList
from source_zendesk_support.state import (
    AuditWalkPosition,
    Codec,
    EndTimePosition,
    FullRefresh,
    ListPosition,
    Position,
    Record,
)
from source_zendesk_support.streams import BY_NAME as STREAM_CLASSES
from source_zendesk_support.streams import STREAMS, ZendeskStream, stream_name

from .harness import START
from .zendesk_http import ZendeskRequest, template

Item = tuple[int, int]
Script = list[tuple[ZendeskRequest, dict]]
SIDELOAD_ID_OFFSET = 10_000  # a sideloaded record's id, from the id of the record that carries it
CHILD_ID_STRIDE = 100  # a page row's child events get ids row id * stride + their position
_NEXT = "https://acme.zendesk.com/api/v2/next-page"  # a next page's URL, to find where a paginator writes it
NESTED_ID_OFFSET = 20_000  # the middle row (an article's comment) a nested per-parent list hangs on, from the item's id


@dataclass(frozen=True)
class StreamCase:
    stream: type[ZendeskStream]

    def __str__(self) -> str:
        return self.name

    # -- the declaration's facts ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return stream_name(self.stream)

    @property
    def records_key(self) -> str:
        return self.stream.records_key

    @property
    def family(self) -> str:
        """The streams reading the same pages (sharing.py) are of one family, named after the stream whose pages
        they are."""
        return self.stream.pages_of or self.name

    @property
    def derive(self) -> Callable[[Record], list[Record]] | None:
        """How the stream makes its records of each row on a page, when its records are not the rows themselves
        (ticket_comments and ticket_field_history: child events of the ticket events on the page)."""
        return getattr(self.stream, "from_event", None)

    @property
    def row_position(self) -> Position:
        """The position whose field the page's rows carry: the stream's own, or for a derived stream the one of the
        stream whose pages it reads (ticket events carry their `timestamp`)."""
        return STREAM_CLASSES[self.family].position if self.derive else self.position

    @property
    def per_parent(self) -> PerParentList | None:
        """How the stream asks for its records once per row of its pages, when they are not on the pages
        (side_conversations: per ticket on the ticket export's pages)."""
        return self.stream.per_parent

    @property
    def page_template(self) -> str:
        """The fixture whose envelope the stream's pages have: its own, or the pages' family's when its records are
        asked for per row (its own fixture is then one row's list)."""
        return self.family if self.per_parent else self.name

    @property
    def page_key(self) -> str:
        """The list the stream reads on its pages: its records, or the parent rows it asks for their lists."""
        return self.carriers if self.per_parent else self.records_key

    @property
    def key(self) -> str:
        """The primary key, or for records without one (attribute_definitions) a field that tells them apart."""
        return str(self.stream.primary_key or "subject")

    @property
    def paged(self) -> bool:
        """Whether the endpoint can answer in several pages (some lists come whole, in one response)."""
        return not isinstance(self.stream.paginator, Unpaginated)

    @property
    def nested(self) -> bool:
        """The records are lists inside an object (attribute_definitions: `definitions.conditions_all`)."""
        return isinstance(template(self.name)[self.records_key], dict)

    @property
    def position(self) -> Position:
        return self.stream.position

    @property
    def incremental(self) -> bool:
        """Whether the stream keeps one instant as its state (a stream keeping one per row, custom object records, is
        incremental too, but its state depends on the rows: test_custom_objects.py)."""
        return not isinstance(self.position, FullRefresh) and not self.per_row

    @property
    def per_row(self) -> bool:
        """The position keeps one instant per row of its pages and asks each row's list from it (row_state.py)."""
        return bool(getattr(self.position, "every_row", False))

    @property
    def newest_first(self) -> bool:
        """Pages and items come newest first (ticket_audits)."""
        return isinstance(self.position, AuditWalkPosition)

    @property
    def filters_client_side(self) -> bool:
        """Zendesk returns records older than the state; the stream must drop them. (A stream asking per row drops
        rows, not records: a row unchanged since the state is not asked for, see its own tests.)"""
        return isinstance(self.position, ListPosition | AuditWalkPosition) and not self.per_parent

    @property
    def time_export(self) -> bool:
        """A time-based export: a page without records ends it, and its position is the page's end_time."""
        return isinstance(self.stream.paginator, ExportTimePaginator | ArticleExportPaginator)

    @property
    def carriers(self) -> str:
        """The list on a page whose rows carry the position's instants: the records, or the rows a sideload rides on."""
        return self.position.observe or self.records_key

    @property
    def next_key(self) -> str:
        """Where a page names the next one (dotted into `links` for cursor lists; "" for a list served whole), as the
        paginator writes its pages."""
        return next((key for key, value in self._lead() if value == _NEXT), "")

    @property
    def end_flag(self) -> str | None:
        """The page's own true/false that says whether it is the last (`end_of_stream`), if it has one."""
        return next((key for key, value in self._lead() if "." not in key and isinstance(value, bool)), None)

    def _lead(self) -> list[tuple[str, Any]]:
        """The keys (dotted one level down) and values a paginator writes on a page that has another after it."""
        try:
            _, body = self.stream.paginator.fake_page(FakePage(0, last=False), {}, lambda query: _NEXT)
        except ValueError:
            return []  # a list served whole has no next page
        return [(f"{key}.{inner}", v) if isinstance(value, dict) else (key, value)
                for key, value in body.items() for inner, v in (value.items() if isinstance(value, dict) else [(key, value)])]

    # -- items to records, pages and states ----------------------------------------------------------------------
    def pk(self, item_id: int) -> Any:
        """An item's key, of the type the fixture's record has (Zendesk's ids are integers, a few are strings)."""
        listed = template(self.name)[self.records_key]
        sample = (next(iter(listed.values()))[0] if self.nested else listed[0]).get(self.key)
        return f"{self.key}-{item_id}" if isinstance(sample, str) else item_id

    def ids(self, items: Sequence[Item]) -> list:
        """What the stream emits for these items (the primary keys)."""
        if self.derive:
            return [record[self.key] for item in items for record in self.derive(self.record(item))]
        offset = SIDELOAD_ID_OFFSET if self.position.observe else 0
        return [self.pk(i + offset) for i, _ in items]

    def state(self, unix: int) -> dict | None:
        """The saved state once everything up to `unix` was read."""
        if not self.incremental:
            return None
        return {self.position.key: self.position.codec.render(unix)}

    def record(self, item: Item) -> dict:
        item_id, unix = item
        listed = template(self.name)[self.records_key]
        row = dict(next(iter(listed.values()))[0] if self.nested else listed[0])
        if self.position.observe:
            return {**row, self.key: self.pk(item_id + SIDELOAD_ID_OFFSET)}
        row["id" if self.derive else self.key] = item_id if self.derive else self.pk(item_id)
        if isinstance(row.get("child_events"), list):
            # A ticket event: its child events are the fixture's, with ids of this item's own.
            row["child_events"] = [{**child, "id": item_id * CHILD_ID_STRIDE + n}
                                   for n, child in enumerate(row["child_events"])]
        position = self.row_position
        if position.field:
            row[position.field] = _field_codec(position).render(unix)
        return row

    def carrier(self, item: Item) -> dict:
        """The row a sideloaded record rides on, or whose list is asked for (its position's instant is there)."""
        assert self.position.observe
        row = {**template(self.page_template)[self.position.observe][0], "id": item[0]}
        for name in self.per_parent.placeholders if self.per_parent else ():
            if isinstance(row.get(name), str):  # a row named by a text key (a custom object's): one of its own
                row[name] = f"{row[name]}_{item[0]}"
        for path, values in (self.per_parent.only if self.per_parent else {}).items():
            _set(row, path, min(values))  # a row the list is asked for (a conversation log: a messaging ticket)
        if self.position.field:  # a full-refresh parent list (schedules for their holidays) moves no position
            row[self.position.field] = _field_codec(self.position).render(item[1])
        return row

    def position_params(self, start_time: int) -> dict[str, Any]:
        """The parameters the stream's position adds to its first request when it starts at `start_time`."""
        return self.position.bind(start_time, time.time, self.name).request_params()

    def first_request(self, start_time: int) -> ZendeskRequest:
        return self.script(start_time, [[]])[0][0]

    def script(self, start_time: int, pages: Sequence[Sequence[Item]]) -> Script:
        """(request, body) for each page, in the order the stream must ask for them; the paginator writes what leads
        from one page to the next."""
        paginator, params, endpoint = self.stream.paginator, dict(self.stream.params), self.stream.endpoint
        script: Script = []
        for n, page in enumerate(pages):
            body = template(self.page_template)
            records = [self.record(item) for item in page]
            if self.nested:
                lists = list(body[self.records_key])
                body[self.records_key] = {lists[0]: records, **{name: [] for name in lists[1:]}}
            elif not self.per_parent:  # a stream asking per row finds its records in per_parent_script's lists
                body[self.records_key] = records
            if self.position.observe:
                body[self.position.observe] = [self.carrier(item) for item in page]
            fake = FakePage(n, last=n == len(pages) - 1, first_query=self.position_params(start_time),
                            starts=start_time if n == 0 else _end(pages[n - 1], start_time),
                            ends=_end(page, start_time), count=len(page))
            query, body = paginator.fake_page(fake, body, lambda q: _request(endpoint, {**params, **q}).url)
            script.append((_request(endpoint, {**params, **query}), body))
        return script

    def per_parent_script(self, pages: Sequence[Sequence[Item]], start_time: int = START) -> Script:
        """(request, body) for the rows on these pages, for a stream asking for its records per row (none
        otherwise): each row's list in one page holding the item's record. For a nested list (votes of an article's
        comments), each row's list holds one middle row (the fixture of the stream that reads that list, its id
        offset and its other placeholders pointing to the row), whose own list holds the item's record."""
        lists = self.per_parent
        if lists is None:
            return []
        script: Script = []
        for item in (item for page in pages for item in page):
            parent = self.carrier(item)
            if lists.nested is None:
                row_params = self.position.bind(start_time, time.time, self.name).row_params(parent)
                script.append(_per_parent_page(lists, parent, self.name, self.records_key, self.record(item), row_params))
                continue
            middle_key = lists.records_key or self.records_key
            middle = dict(template(_reader_of(lists))[middle_key][0])
            middle.update({name: item[0] for name in lists.nested.placeholders if name != "id"},
                          id=item[0] + NESTED_ID_OFFSET)
            script.append(_per_parent_page(lists, parent, _reader_of(lists), middle_key, middle))
            script.append(_per_parent_page(lists.nested, middle, self.name, self.records_key, self.record(item)))
        return script


def _per_parent_page(lists: PerParentList, parent: Record, fixture: str, key: str, record: dict,
                     row_params: Mapping[str, Any] | None = None) -> tuple[ZendeskRequest, dict]:
    """The request for one parent's list, and its one page holding `record` (the envelope of `fixture`);
    `row_params`: what the position adds to this row's request (its export's start_time)."""
    body = template(fixture)
    body[key] = [record]
    path = lists.path.format(**parent)
    query, body = lists.paginator.fake_page(FakePage(0, last=True), body, lambda q: _request(path, q).url)
    return _request(path, {**query, **lists.params, **(row_params or {})}), body


def _reader_of(lists: PerParentList) -> str:
    """The stream that reads a list on its own (article_comments for the comments the comment votes hang on): its
    fixture has the list's records."""
    return next(stream_name(s) for s in STREAMS
                if s.per_parent is not None and s.per_parent.path == lists.path and s.per_parent.nested is None)


def _set(row: dict, path: str, value: Any) -> None:
    """Sets a dotted path in a row, copying the objects on the way (the template's are shared)."""
    head, _, rest = path.partition(".")
    if rest:
        row[head] = dict(row.get(head) or {})
        _set(row[head], rest, value)
    else:
        row[head] = value


def _field_codec(position: Position) -> Codec:
    """How the rows' field writes instants: the position's own codec unless it says otherwise (EndTimePosition)."""
    return getattr(position, "field_codec", None) or position.codec


def _request(endpoint: str, query: Mapping[str, Any]) -> ZendeskRequest:
    pairs = [(name, str(v)) for name, value in query.items() for v in (value if isinstance(value, list) else [value])]
    return ZendeskRequest(endpoint, tuple(pairs))


def _end(page: Sequence[Item], start_time: int) -> int:
    return max((t for _, t in page), default=start_time)


CASES = [StreamCase(stream) for stream in STREAMS]
BY_NAME = {case.name: case for case in CASES}
INCREMENTAL = [case for case in CASES if case.incremental]
PAGED = [case for case in CASES if case.paged]
TIME_FILTERED_LISTS = [case for case in CASES if isinstance(case.position, ListPosition)]
EXPORTS_BY_END_TIME = [case for case in CASES if isinstance(case.position, EndTimePosition)]
