"""Stream state: how each kind of stream moves it, and reading it back (the official connector's shapes are
migrated first, state_file.LegacyStateMigration).

What every position below relies on:
- State is emitted only between pages (driver.py emits it after each page a stream read), so a position only has to
  be right at page boundaries: once `advance` ran for a page, every record the state claims was emitted has been.
- `advance` runs after a page's records were handed on, never before, so state never runs ahead of data.
- A page Zendesk refused (a 403 the error table ignores) advances nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar

from .failures import UnreadablePage, UnusableState
from .instants import ISO, UNIX, Codec, canonical, iso, record_time, time_span, to_unix

Clock = Callable[[], float]
Record = Mapping[str, Any]

# Zendesk rejects an export start_time younger than five minutes ("Too recent start_time"). Starting earlier only
# re-reads a few minutes (records are deduplicated by primary key downstream); starting later would lose data.
EXPORT_MIN_AGE_SECONDS = 300
FUTURE_SLACK_SECONDS = 24 * 3600


class Position:
    """A stream's place in its data. Instances declared on stream classes are prototypes: `bind` gives each stream
    instance its own copy, so no state is ever shared between streams or runs.

    `key` names the position in the state, `field` the records' field (or, with `observe`, the carriers' field) whose
    instants move it; `codec` how the state writes the instant. A position with a `key` makes its stream incremental
    (streams/base.py), its cursor in the catalog `cursor` or else `field`."""

    key: str | None = None
    field: str | None = None
    codec: Codec = ISO
    observe: str | None = None  # the list on a page whose rows carry `field`, when not the records themselves
    cursor: str | None = None  # the records' own cursor in the catalog, when it is not `field`
    # Set by `bind` (a prototype has none): the start date, the clock and the stream's name for messages.
    _start: int
    _clock: Clock
    _stream: str
    # The position itself: everything before `_floor` was emitted; `_next_url` and `_high` describe a walk under way.
    _floor: int
    _next_url: str | None
    _high: int | None
    _state: dict[str, Any]
    # While a sync walks its pages, the state also holds `_walk`: the URL of the next page under the key
    # `walk_url_key` names (None: the position never resumes mid-walk; the key is persisted in users' states) and,
    # for positions that only move once the walk is over, `high_water`, the newest instant seen so far. A sync killed
    # or failed halfway resumes at that URL instead of re-reading pages whose records were already emitted and
    # checkpointed; the end of the walk removes `_walk`.
    walk_url_key: ClassVar[str | None] = None
    walk_high_water: ClassVar[bool] = False

    def bind(self, start_time: int, clock: Clock, stream: str) -> Position:
        bound = copy.copy(self)
        bound._start, bound._clock, bound._stream = start_time, clock, stream
        bound.reset()
        return bound

    @property
    def catalog_cursor(self) -> str | None:
        """The field the catalog names as the stream's cursor; None when the stream keeps no state (full refresh)."""
        return (self.cursor or self.field) if self.key else None

    # -- state in and out ------------------------------------------------------------------------------------------
    @property
    def state(self) -> dict[str, Any]:
        return self._state  # read after every page (driver.py): keep it a plain attribute

    def load(self, state: Mapping[str, Any]) -> None:
        """Incoming state; {} means "start from start_date"."""
        self.reset()
        if state:
            key = self.key or ""
            if key not in state:
                raise UnusableState(f"expected a '{key}' key, got {sorted(state)}", self._stream)
            self._floor = self._parse(state[key], key)
            if state.get("_walk") is not None and self.walk_url_key:
                self._load_walk(state["_walk"])
            self._publish()

    def _load_walk(self, walk: Any) -> None:
        wanted = ("high_water", self.walk_url_key) if self.walk_high_water else (self.walk_url_key,)
        if not isinstance(walk, Mapping) or not isinstance(walk.get(self.walk_url_key), str):
            raise UnusableState(f"'_walk' must hold {' and '.join(repr(w) for w in wanted)}", self._stream)
        self._next_url = walk[self.walk_url_key]
        if self.walk_high_water:
            self._high = self._parse(walk.get("high_water"), "_walk.high_water")

    def reset(self) -> None:
        self._floor = self._start
        self._next_url = None
        self._high = None
        self._publish()

    def ahead_of_now(self) -> str | None:
        """The saved position when it lies in the future: then nothing newer exists and nothing is read again, which
        Airbyte's own tests expect of an abnormally large state, but a user with a corrupted state must hear of it.
        A day of slack keeps a clock a little behind Zendesk's from raising the alarm."""
        return iso(self._floor) if self._floor > self._clock() + FUTURE_SLACK_SECONDS else None

    def _parse(self, value: Any, what: str) -> int:
        try:
            return to_unix(value)
        except (ValueError, OverflowError):
            raise UnusableState(f"'{what}' is not a time ({value!r})", self._stream) from None

    def _publish(self) -> None:
        self._state = {self.key: self.codec.render(self._floor)} if self.key else {}
        if self._next_url is not None and self.walk_url_key:
            walk: dict[str, str | None] = {self.walk_url_key: self._next_url}
            if self.walk_high_water:
                walk = {"high_water": iso(self._high) if self._high is not None else None, **walk}
            self._state["_walk"] = walk

    # -- reading -----------------------------------------------------------------------------------------------------
    def request_params(self) -> dict[str, Any]:
        return {}

    def resume_url(self) -> str | None:
        return self._next_url

    def reads_every_page(self) -> bool:
        """Whether a read from this position asks for every page of the list, as a full refresh does: then a full
        refresh can take its pages (sharing.py)."""
        return False

    def select(self, records: list[Record]) -> Iterable[Record]:
        return records

    def row_params(self, row: Record) -> dict[str, Any]:  # a stream asking per row: row_state.py
        return {}

    def row_read(self, row: Record, records: Generator[Record, None, bool]) -> Generator[Record, None, bool]:
        return (yield from records)

    def advance(self, body: Mapping[str, Any], records: list[Record], next_url: str | None) -> str | None:
        """After a page was emitted. Returns the URL to read next (a position may end the walk early)."""
        return next_url

    def complete(self) -> None:
        """After the last page."""

    def _export_start(self) -> dict[str, Any]:
        return {"start_time": min(self._floor, int(self._clock()) - EXPORT_MIN_AGE_SECONDS)}

    # Zendesk sends its own format; anything else is parsed, and what is not a time at all is an error, never a
    # crash and never a reason to drop a record (instants.py).
    def _not_before(self, row: Record, field: str, floor_text: str) -> bool:
        """Whether a record is at or after the floor; one without a time is kept (never dropped unseen)."""
        if (value := row.get(field)) is None or value == "":
            return True
        return value >= floor_text if canonical(value) else record_time(value, field, self._stream) >= self._floor


@dataclass(kw_only=True)
class FullRefresh(Position):
    """No state: the stream is read whole every time, whatever state Airbyte passes. `observe`: a stream asking for
    its records per row (per_parent.py) names the rows it reads on its pages (schedule_holidays: the schedules)."""

    observe: str | None = None

    def load(self, state: Mapping[str, Any]) -> None:
        self.reset()

    def reads_every_page(self) -> bool:
        return True


@dataclass(kw_only=True)
class ExportPosition(Position):
    """Incremental exports (tickets, users, ticket_metrics): the state is the highest cursor value emitted so far.

    Zendesk's cursor export returns records in cursor order and `start_time` is inclusive, so restarting from the
    highest value emitted re-reads at most that second and loses nothing. `observe` names the list that carries
    the cursor when it is not the emitted records (ticket_metrics emits metric sets but its position is the
    tickets' generated_timestamp on the same page)."""

    key: str
    field: str
    codec: Codec = ISO
    observe: str | None = None
    cursor: str | None = None  # ticket_metrics: the metric set's updated_at, its position the tickets'
    # Within a sync, the next page is resumed by its cursor URL: restarting from the highest value emitted would
    # re-read that whole second, more than a page when 1,000+ tickets share it (bulk updates do that).
    walk_url_key: ClassVar[str | None] = "after_url"

    def request_params(self) -> dict[str, Any]:
        return self._export_start()

    def advance(self, body: Mapping[str, Any], records: list[Record], next_url: str | None) -> str | None:
        carriers = body.get(self.observe) if self.observe else records
        if not isinstance(carriers, list) or not all(isinstance(row, Mapping) for row in carriers):
            raise UnreadablePage(self._stream, f"its '{self.observe}' is not a list of objects")
        span = time_span(carriers, self.field, self._stream)
        if span:
            self._floor = max(self._floor, span[1])
        self._next_url = next_url
        self._publish()
        return next_url


@dataclass(kw_only=True)
class CreatedWindowPosition(ExportPosition):
    """Lists of records that never change once created, sorted by creation time on request and filtered to a time
    window (audit_logs: `sort=created_at`, `filter[created_at][]` given twice, start and end). They read like an
    export: the state is the newest created_at emitted, and the window starts there next time (inclusive: that
    second is read again rather than risked)."""

    key: str = "created_at"
    field: str = "created_at"
    window_param: str
    walk_url_key: ClassVar[str | None] = "next_url"

    def request_params(self) -> dict[str, Any]:
        # The window must end, but nothing may fall after its end: a clock behind Zendesk's would otherwise hold
        # back the newest records until it caught up. A day ahead of this clock covers any skew seen in practice.
        return {self.window_param: [iso(self._floor), iso(int(self._clock()) + FUTURE_SLACK_SECONDS)]}


@dataclass(kw_only=True)
class EndTimePosition(Position):
    """Time-based exports (organizations, ticket events, metric events): the state is the page's `end_time`, the
    next page's `start_time`, written with `codec` (unix seconds or ISO, as the stream's official state has it).

    `start_time` is inclusive, so Zendesk sends the records of the boundary second again on the next page; the ids
    already emitted at that second are remembered and skipped. A record is at that second when its `field` holds
    it, written as `field_codec` writes instants (the state's `codec` unless said otherwise: ticket_field_history
    keeps the export's unix position but its records say when in ISO). When 1,000+ records share one second,
    `end_time` stays on that second for several pages: the remembered ids then accumulate instead of being replaced."""

    key: str = "updated_at"
    field: str = "updated_at"
    codec: Codec = ISO
    field_codec: Codec | None = None
    # A stream asking for its records per row (per_parent.py): the rows it reads on the export's pages (Help Center
    # articles), which this position moves on and selects as it would its own records.
    observe: str | None = None
    cursor: str | None = None  # ticket_comments: the comment's created_at, its position the export's timestamp
    _boundary_second: int | None = None
    _boundary_ids: set[Any] = dataclass_field(default_factory=set)

    def reset(self) -> None:
        super().reset()
        self._boundary_second = None
        self._boundary_ids = set()

    def request_params(self) -> dict[str, Any]:
        return self._export_start()

    def _written(self, second: int) -> Any:
        """`second` as the records' `field` holds it, so that finding the boundary's records is an equality test."""
        return (self.field_codec or self.codec).render(second)

    def select(self, records: list[Record]) -> Iterable[Record]:
        if not self._boundary_ids:
            return records
        second, ids = self._written(self._boundary_second or 0), self._boundary_ids
        return [row for row in records if not (row.get(self.field) == second and row.get("id") in ids)]

    def advance(self, body: Mapping[str, Any], records: list[Record], next_url: str | None) -> str | None:
        if (end_time := body.get("end_time")) is None:
            return next_url
        end_time = record_time(end_time, "end_time", self._stream)
        second = self._written(end_time)
        at_boundary = {row.get("id") for row in records if row.get(self.field) == second}
        if not all(type(key) in (int, str) for key in at_boundary):
            # The ids decide which repeated records are skipped: without them a record could be dropped unseen.
            raise UnreadablePage(self._stream, "a record has no usable 'id'")
        if end_time == self._boundary_second:
            self._boundary_ids |= at_boundary
        else:
            self._boundary_second, self._boundary_ids = end_time, at_boundary
        # Safe at once: records after end_time are not on this page, records at end_time come again next time.
        if end_time > self._floor:
            self._floor = end_time
            self._publish()
        return next_url


@dataclass(kw_only=True)
class ListPosition(Position):
    """Lists without a server-side time filter (groups, macros, ticket_fields): read everything, emit records
    updated at or after the state, and move the state only once the whole list has been read.

    The list comes in id order, not updated_at order. Were the state moved to the newest updated_at seen so far
    and the sync stopped halfway, the rest of the list (updated after the old state but before that value) would
    be filtered out next time and never synced."""

    key: str = "updated_at"
    field: str = "updated_at"
    # A stream asking for its records per row (per_parent.py): the rows it reads on the list's pages (community posts),
    # whose updated_at move this position; only the rows changed since the state are selected, so only they are asked.
    observe: str | None = None
    # A list that filters on time server-side (satisfaction_ratings' start_time, activities' since) is asked for
    # records from the state on: the filter only saves pages, the records are still filtered here.
    since_param: str | None = None
    since_codec: Codec = UNIX
    walk_url_key: ClassVar[str | None] = "next_url"
    walk_high_water: ClassVar[bool] = True
    _cap: int | None = None  # the newest instant the state may reach in this walk (set by its first page)
    _began: int | None = None  # the cap a resumed walk's saved state began under

    def request_params(self) -> dict[str, Any]:
        return {self.since_param: self.since_codec.render(self._floor)} if self.since_param else {}

    def reads_every_page(self) -> bool:
        # No time filter sent, and not resuming a walk halfway: the whole list, whatever the state.
        return self.since_param is None and self._next_url is None

    def select(self, records: list[Record]) -> Iterable[Record]:
        floor = iso(self._floor)
        return [row for row in records if self._not_before(row, self.field, floor)]

    def advance(self, body: Mapping[str, Any], records: list[Record], next_url: str | None) -> str | None:
        if self._cap is None:
            # The state may never pass the moment the walk began: a record on a page already read that changes
            # later gets a newer updated_at than that, and a walk resumed hours later must still catch it. A
            # resumed walk keeps the cap its saved high water already obeys (a little early is harmless).
            # A walk saved with the cap it began under (`_walk.began`) keeps it: its high water alone would be far too
            # early when the list is in id order (a resumed walk once re-sent every record of a list).
            resumed = self._next_url is not None
            start = self._high if self._high is not None else self._floor
            self._cap = (self._began if self._began is not None else start) if resumed else (
                int(self._clock()) - EXPORT_MIN_AGE_SECONDS)
        span = time_span(records, self.field, self._stream)
        if span:
            newest = min(span[1], self._cap)
            self._high = newest if self._high is None else max(self._high, newest)
        self._next_url = next_url
        self._publish()
        return next_url

    def reset(self) -> None:
        super().reset()
        self._cap = self._began = None

    def _load_walk(self, walk: Any) -> None:
        super()._load_walk(walk)
        if walk.get("began") is not None:
            self._began = self._parse(walk["began"], "_walk.began")

    def _publish(self) -> None:
        super()._publish()
        if "_walk" in self._state and self._cap is not None:
            self._state["_walk"]["began"] = iso(self._cap)

    def complete(self) -> None:
        if self._high is not None:
            self._floor = max(self._floor, self._high)
        self._next_url = self._high = self._cap = None
        self._publish()


@dataclass(kw_only=True)
class AuditWalkPosition(Position):
    """ticket_audits comes newest first, with `before_url` leading to older pages.

    A sync walks from the newest audit down to the previous state (`created_at`). Moving `created_at` to the
    newest audit before the walk reached the old value would lose everything below the interruption point, so
    until the walk ends the state keeps the old `created_at` and adds `_walk`: the newest created_at seen
    (`high_water`) and the URL of the next older page (`before_url`). A sync that finds `_walk` resumes there;
    audits created meanwhile sit above `high_water` and are picked up by the next walk. When a walk ends,
    `created_at` becomes `high_water` and `_walk` goes away. `created_at` is inclusive: the boundary second is
    read again rather than risked."""

    key: str = "created_at"
    field: str = "created_at"
    walk_url_key: ClassVar[str | None] = "before_url"
    walk_high_water: ClassVar[bool] = True

    def select(self, records: list[Record]) -> Iterable[Record]:
        floor = iso(self._floor)
        return [row for row in records if self._not_before(row, self.field, floor)]

    def advance(self, body: Mapping[str, Any], records: list[Record], next_url: str | None) -> str | None:
        span = time_span(records, self.field, self._stream)
        if span:
            oldest, newest = span
            self._high = newest if self._high is None else max(self._high, newest)
            if oldest < self._floor:
                return None  # this page already reached below the previous state: older pages add nothing
        if next_url is not None:
            self._next_url = next_url
            self._publish()
        return next_url

    def complete(self) -> None:
        if self._high is not None:
            self._floor = max(self._floor, self._high)
        self._next_url = None
        self._publish()
