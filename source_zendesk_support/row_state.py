"""Positions kept per parent row: a stream whose records come from one export per row of its pages (custom object
records: Zendesk exports each custom object's records apart, `incremental/custom_objects/{key}/cursor`).

Each row's export starts where that row's own records stopped: the state holds, per row key, the newest instant of
the row's records emitted so far, `{"updated_at": {"car": "2026-01-31T12:00:00Z", ...}}`. A row not in the state (a
new object) starts at the start date. Every sync asks every row (a row's export is the only way to learn whether
its records changed: the object's own `updated_at` does not move with its records).

What the order of the steps guarantees, as state.py's positions do:
- a row's instant moves only after its export was read to the end (per_parent.py reads every page of a row before the
  next); then the position hands the driver `CHECKPOINT` among the records, and the driver emits the state there,
  behind the row's records: a sync cut short starts the rows it finished from their new instants and the others
  (the one it was reading included) from their saved ones;
- the export's `start_time` is inclusive and held five minutes back (state.EXPORT_MIN_AGE_SECONDS): the boundary
  second is read again rather than risked;
- the rows listed on the page are the only ones kept: a deleted object's entry goes with it.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .failures import UnusableState
from .instants import ISO, Codec, iso, record_time
from .state import EXPORT_MIN_AGE_SECONDS, FUTURE_SLACK_SECONDS, Position, Record

# Not a record: where the driver emits the stream's state within a page (driver.py compares by identity).
CHECKPOINT: Record = MappingProxyType({})


@dataclass(kw_only=True)
class PerRowExportPosition(Position):
    """`observe`: the list of rows on the stream's pages (custom_objects); `row_key`: the rows' field that names each
    one's export and its entry in the state; `field`: the records' instant (written with `codec`)."""

    key: str = "updated_at"
    field: str = "updated_at"
    codec: Codec = ISO
    observe: str
    row_key: str = "key"
    every_row = True  # every sync asks every row: no row is skipped as unchanged (tests read it)

    def reset(self) -> None:
        self._floors: dict[str, int] = {}
        super().reset()

    def load(self, state: Mapping[str, Any]) -> None:
        self.reset()
        if not state:
            return
        rows = state.get(self.key)
        if not isinstance(rows, Mapping) or not all(isinstance(name, str) for name in rows):
            raise UnusableState(f"expected '{self.key}' to map each {self.row_key} to a time, got {str(rows)[:60]}",
                                self._stream)
        self._floors = {name: self._parse(value, f"{self.key}.{name}") for name, value in rows.items()}
        self._publish()

    def _publish(self) -> None:
        floors = getattr(self, "_floors", {})
        self._state = {self.key: {name: self.codec.render(floors[name]) for name in sorted(floors)}}

    def ahead_of_now(self) -> str | None:
        ahead = [unix for unix in self._floors.values() if unix > self._clock() + FUTURE_SLACK_SECONDS]
        return iso(max(ahead)) if ahead else None

    def reads_every_page(self) -> bool:
        return True  # the whole list of rows, every sync (sharing.py)

    def row_params(self, row: Record) -> dict[str, Any]:
        start = self._floors.get(str(row.get(self.row_key)), self._start)
        return {"start_time": min(start, int(self._clock()) - EXPORT_MIN_AGE_SECONDS)}

    def row_read(self, row: Record, records: Generator[Record, None, bool]) -> Generator[Record, None, bool]:
        """The row's records as they pass; once its export was read to its end, the row's instant is the newest seen."""
        name, newest = str(row.get(self.row_key)), None
        try:
            while True:
                record = next(records)
                value = record.get(self.field)
                if value is not None and value != "":
                    unix = record_time(value, self.field, self._stream)
                    newest = unix if newest is None else max(newest, unix)
                yield record
        except StopIteration as end:
            finished = bool(end.value)
        if finished and newest is not None:
            self._floors[name] = max(self._floors.get(name, self._start), newest)
            self._publish()
            yield CHECKPOINT
        return finished

    def advance(self, body: Mapping[str, Any], records: list[Record], next_url: str | None) -> str | None:
        listed = body.get(self.observe)
        if isinstance(listed, list) and next_url is None:  # the whole list was seen: rows gone from it are dropped
            names = {str(row.get(self.row_key)) for row in listed if isinstance(row, Mapping)}
            self._floors = {name: unix for name, unix in self._floors.items() if name in names}
        self._publish()
        return next_url
