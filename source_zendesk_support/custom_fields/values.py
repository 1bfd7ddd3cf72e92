"""Read's custom field columns: each record of tickets, users and organizations gets the values of its raw custom
fields, converted to their columns' types.

`read` makes no request for this: the configured catalog Airbyte passes to it carries the schema discover made, and
each column's schema names its field (`x-zendesk-field-id`, and `x-zendesk-field-key` for user and organization
fields, columns.py) and its type. A column the configured catalog does not hold (a field added since the last
discover, a column deselected) is not made; one whose field is gone stays null.

A value that does not convert (legacy data: "12abc" in an integer field, a date written 31/01/2025) is null in its
column, never an error; the raw `custom_fields`, `user_fields` and `organization_fields` keep it, untouched. Each
stream's count of them goes to the log when the stream ends.

Speed: the conversion runs once per record on the thread that writes the messages out; a text or dropdown value is
taken as it is, and only other types pay for a conversion.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteStreamStatus,
    ConfiguredAirbyteCatalog,
    TraceType,
    Type,
)

from .columns import BY_STREAM, FIELD_ID, FIELD_KEY, FieldList

UNCONVERTIBLE: Any = object()
Convert = Callable[[Any], Any]

_INTEGER = re.compile(r"[+-]?\d{1,18}", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
# Zendesk's date fields hold YYYY-MM-DD; user and organization date fields come as midnight date-times too
# ("2022-11-30T00:00:00+00:00").
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:T00:00:00(?:\.0+)?(?:Z|[+-]\d\d:?\d\d)?)?", re.ASCII)
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})
# Date values seen, and what they convert to: an account's dates repeat (a few thousand days), and checking one costs
# more than looking it up. Only the thread writing the messages out converts.
_DATES: dict[str, Any] = {}
_DATES_KEPT = 100_000


def to_string(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value
    if kind is int or kind is float:  # a number in a text or dropdown field reads as its digits
        return str(value)
    return UNCONVERTIBLE


def to_integer(value: Any) -> Any:
    kind = type(value)
    if kind is int:
        return value
    if kind is str:
        text = value.strip()
        return int(text) if _INTEGER.fullmatch(text) else UNCONVERTIBLE
    if kind is float and value.is_integer():
        return int(value)
    return UNCONVERTIBLE


def to_number(value: Any) -> Any:
    kind = type(value)
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else UNCONVERTIBLE
    if kind is str:
        text = value.strip()
        if _NUMBER.fullmatch(text):
            number = float(text)
            return number if math.isfinite(number) else UNCONVERTIBLE
    return UNCONVERTIBLE


def to_boolean(value: Any) -> Any:
    kind = type(value)
    if kind is bool:
        return value
    if kind is str:
        text = value.strip().lower()
        return True if text in _TRUE else False if text in _FALSE else UNCONVERTIBLE
    if kind is int and value in (0, 1):
        return value == 1
    return UNCONVERTIBLE


def to_date(value: Any) -> Any:
    if type(value) is not str:
        return UNCONVERTIBLE
    known = _DATES.get(value)
    if known is not None:
        return known
    match = _DATE.fullmatch(value.strip())
    try:
        day = UNCONVERTIBLE if match is None else date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:  # 2024-02-30
        day = UNCONVERTIBLE
    if len(_DATES) >= _DATES_KEPT:
        _DATES.clear()
    _DATES[value] = day
    return day


def to_strings(value: Any) -> Any:
    """A multiselect's values (its chosen options' tags); a lone tag is a list of one."""
    kind = type(value)
    if kind is list:
        for item in value:  # a loop, not all(map(...)): lists of one to three tags, half the time (bench/column_cost)
            if type(item) is not str:
                return UNCONVERTIBLE
        return value
    if kind is str:
        return [value]
    return UNCONVERTIBLE


# A raw value of this exact type is its column's value as it is (a bool is no int: type() is exact).
_AS_IS: dict[Convert, type] = {to_string: str, to_integer: int, to_number: float, to_boolean: bool}


def converter(schema: Mapping[str, Any]) -> Convert | None:
    """The conversion to a column's type, read from its JSON schema (columns.TYPE_SCHEMAS made it)."""
    declared = schema.get("type")
    types = {declared} if isinstance(declared, str) else set(declared or ())
    if "integer" in types:
        return to_integer
    if "number" in types:
        return to_number
    if "boolean" in types:
        return to_boolean
    if "array" in types:
        return to_strings
    if "string" in types:
        return to_date if schema.get("format") == "date" else to_string
    return None


class StreamColumns:
    """One stream's custom field columns, as its configured catalog entry declares them."""

    def __init__(self, field_list: FieldList, columns: list[tuple[int | str, str, Convert]]) -> None:
        """`columns`: (the field's id, or key for a keyed list; column name; conversion)."""
        self.field_list = field_list
        self.names = [name for _, name, _ in columns]
        # Per field: its column, the type a raw value already has when it needs no conversion (None: always
        # converted, a date is checked), and the conversion.
        plan = [(source, (name, _AS_IS.get(convert), convert)) for source, name, convert in columns]
        self._by_source: dict[Any, tuple[str, type | None, Convert]] = dict(plan)
        self._keyed = [(source, *column) for source, column in plan]
        self.unconvertible: Counter[str] = Counter()

    @classmethod
    def from_schema(cls, field_list: FieldList, schema: Mapping[str, Any]) -> StreamColumns | None:
        columns = []
        for name, column in (schema.get("properties") or {}).items():
            if not isinstance(column, Mapping) or FIELD_ID not in column:
                continue
            source = column.get(FIELD_KEY) if field_list.by_key else column.get(FIELD_ID)
            convert = converter(column)
            if convert is not None and isinstance(source, str if field_list.by_key else int):
                columns.append((source, name, convert))
        return cls(field_list, columns) if columns else None

    def fill(self, data: dict[str, Any]) -> None:
        """Every column of the record whose field holds a value that converts: the converted value. The others are
        left out, which is null (the CDK writes no nulls into a record's JSON either). Hot: once per record, with
        as little work per field as it takes (bench/: ours against ours-plain)."""
        raw = data.get(self.field_list.values)
        if type(raw) is list:
            if self.field_list.by_key:
                return
            get = self._by_source.get
            try:
                for item in raw:
                    value = item["value"]
                    if value is not None:
                        column = get(item["id"])
                        if column is not None:
                            if type(value) is column[1]:
                                data[column[0]] = value
                            else:
                                value = column[2](value)
                                if value is UNCONVERTIBLE:
                                    self.unconvertible[column[0]] += 1
                                else:
                                    data[column[0]] = value
            except (TypeError, KeyError):  # not a list of {"id", "value"} objects
                return
        elif type(raw) is dict and self.field_list.by_key:
            for key, name, as_is, convert in self._keyed:
                value = raw.get(key)
                if value is not None:
                    if type(value) is not as_is:
                        value = convert(value)
                        if value is UNCONVERTIBLE:
                            self.unconvertible[name] += 1
                            continue
                    data[name] = value

    def summary(self, stream: str) -> str:
        total = sum(self.unconvertible.values())
        line = (f"Custom field columns of '{stream}': {total} values that do not convert to their column's type, "
                f"left null there (the raw {self.field_list.values} keeps them)")
        if total:
            worst = ", ".join(f"{name} {count}" for name, count in self.unconvertible.most_common(5))
            line += f"; by column: {worst}"
        return line + "."


def stream_columns(catalog: ConfiguredAirbyteCatalog) -> dict[str, StreamColumns]:
    """The custom field columns of each configured stream that has any."""
    found = {}
    for entry in catalog.streams:
        field_list = BY_STREAM.get(entry.stream.name)
        if field_list is not None:
            columns = StreamColumns.from_schema(field_list, entry.stream.json_schema or {})
            if columns is not None:
                found[entry.stream.name] = columns
    return found


def with_columns(messages: Iterable[AirbyteMessage], catalog: ConfiguredAirbyteCatalog,
                 logger: logging.Logger) -> Iterator[AirbyteMessage]:
    """`messages` with the custom field columns of the catalog's streams filled into their records; each stream's
    count of values that did not convert logged as it ends (or when the sync does, if it never said it ended)."""
    columns = stream_columns(catalog)
    if not columns:
        yield from messages
        return
    told: set[str] = set()
    try:
        for message in messages:
            record = message.record
            if record is not None:
                stream = columns.get(record.stream)
                if stream is not None:
                    stream.fill(record.data)
            elif message.type == Type.TRACE and message.trace is not None:
                ended = _ended(message)
                if ended in columns and ended not in told:
                    told.add(ended)
                    logger.info(columns[ended].summary(ended))
            yield message
    finally:
        for name, stream in columns.items():
            if name not in told:
                logger.info(stream.summary(name))


def _ended(message: AirbyteMessage) -> str | None:
    trace = message.trace
    if trace is None or trace.type != TraceType.STREAM_STATUS or trace.stream_status is None:
        return None
    status = trace.stream_status
    if status.status not in (AirbyteStreamStatus.COMPLETE, AirbyteStreamStatus.INCOMPLETE):
        return None
    return status.stream_descriptor.name
