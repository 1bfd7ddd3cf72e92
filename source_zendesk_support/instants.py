"""Instants as Zendesk and Airbyte states write them: parsing them, writing them, and reading them in records.

Zendesk sends its own format ("2024-01-31T12:00:00Z", or unix seconds for a few fields); anything else is parsed, and
what is not a time at all is an error, never a crash and never a reason to drop a record.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .failures import UnreadablePage

LATEST_TIME = 253402300799  # 9999-12-31T23:59:59Z


def iso(unix: int) -> str:
    """Zendesk's own timestamp format, so record values and state values compare as plain strings."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


def to_unix(value: Any) -> int:
    """An instant as Zendesk or an Airbyte state may write it: unix seconds (int or numeric string) or ISO 8601."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a time")
    if isinstance(value, int | float):
        seconds = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
        seconds = int(float(value))
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        seconds = calendar.timegm((moment if moment.tzinfo is None else moment.astimezone(UTC)).timetuple())
    else:
        raise ValueError(f"{value!r} is not a time")
    if seconds < 0:
        raise ValueError(f"{value!r} is before 1970")
    if seconds > LATEST_TIME:
        raise ValueError(f"{value!r} is after 9999")  # no such record exists, and ISO strings stop comparing right
    return seconds


def canonical(value: Any) -> bool:
    """Zendesk's own "2024-01-31T12:00:00Z": such strings compare as text exactly as the instants they name."""
    return isinstance(value, str) and len(value) == 20 and value[-1] == "Z"


@dataclass(frozen=True)
class Codec:
    """How a cursor's instants are written, in records and in state: unix seconds (tickets' generated_timestamp)
    or Zendesk's ISO strings (updated_at, created_at). Reading accepts either (see to_unix)."""

    render: Callable[[int], Any]


UNIX = Codec(int)
ISO = Codec(iso)


def record_time(value: Any, field: str, stream: str) -> int:
    """The instant a record's `field` holds; one that is none is an unreadable page of `stream`."""
    try:
        return to_unix(value)
    except (ValueError, OverflowError, TypeError):
        raise UnreadablePage(stream, f"a record's '{field}' is not a time ({str(value)[:40]!r})") from None


def time_span(rows: Iterable[Mapping[str, Any]], field: str, stream: str) -> tuple[int, int] | None:
    """The oldest and the newest instant in `field` over `rows` (rows without one are skipped)."""
    values = [value for value in (row.get(field) for row in rows) if value is not None and value != ""]
    if not values:
        return None
    if all(canonical(value) for value in values) or all(type(value) is int for value in values):
        low, high = min(values), max(values)  # the common case: two parses per page, not one per record
        return record_time(low, field, stream), record_time(high, field, stream)
    times = [record_time(value, field, stream) for value in values]
    return min(times), max(times)
