"""Business time under a schedule: which seconds count, as Zendesk counts them for business-hours metrics and SLAs.

A schedule (`business_hours/schedules`) is a weekly list of intervals in minutes from Sunday 00:00, read in the
schedule's time zone (a Rails zone name, e.g. "Eastern Time (US & Canada)"), and a list of holidays: whole calendar
days, `start_date` to `end_date` inclusive, in the same zone, on which the schedule is closed. `BusinessClock` lays
the intervals out in UTC over a span of weeks (daylight saving included, through `zoneinfo`), drops those that begin
on a holiday, and answers with numpy, for many times at once:

- `elapsed(t)`: business seconds from the start of the span to `t`, so business time between two moments is a
  difference (`between`);
- `after(t, s)`: the moment `s` business seconds after `t` (when an SLA target in business minutes is reached).

Outside the span nothing counts: a time after it is as far as business time goes, and a target beyond it is never
reached (`after` answers `NEVER`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

# Rails' names for the zones the emulator's schedules use (ActiveSupport::TimeZone::MAPPING), and a few common ones.
RAILS_ZONES = {
    "Eastern Time (US & Canada)": "America/New_York", "Central Time (US & Canada)": "America/Chicago",
    "Mountain Time (US & Canada)": "America/Denver", "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Dublin": "Europe/Dublin", "London": "Europe/London", "Copenhagen": "Europe/Copenhagen",
    "Berlin": "Europe/Berlin", "Paris": "Europe/Paris", "Singapore": "Asia/Singapore", "Tokyo": "Asia/Tokyo",
    "Sydney": "Australia/Sydney", "Melbourne": "Australia/Melbourne", "New Caledonia": "Pacific/Noumea",
    "Brasilia": "America/Sao_Paulo", "UTC": "UTC",
}
NEVER = np.iinfo(np.int64).max // 4
WEEK_MINUTES = 7 * 1440


def zone(rails_name: str) -> ZoneInfo:
    """The IANA zone of a Rails zone name (or an IANA name itself); UTC when neither is known."""
    try:
        return ZoneInfo(RAILS_ZONES.get(rails_name, rails_name))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local(day: date, minutes: int, tz: ZoneInfo) -> int:
    # Aware arithmetic is wall-clock arithmetic: the offset is the zone's at the resulting local time.
    return int((datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(minutes=minutes)).timestamp())


@dataclass(frozen=True)
class BusinessClock:
    starts: np.ndarray  # UTC seconds, ascending, intervals never overlap
    ends: np.ndarray
    before: np.ndarray  # business seconds in the intervals before each one

    @classmethod
    def build(cls, intervals: Iterable[dict], time_zone: str, holidays: Iterable[tuple[str, str]],
              first: int, last: int) -> BusinessClock:
        """Intervals of the weeks covering [first, last] (unix seconds); `holidays` as (start_date, end_date)."""
        tz = zone(time_zone)
        closed: set[date] = set()
        for start, end in holidays:
            day, stop = date.fromisoformat(start), date.fromisoformat(end)
            while day <= stop:
                closed.add(day)
                day += timedelta(days=1)
        weekly = sorted((int(i["start_time"]), int(i["end_time"])) for i in intervals)
        begin = datetime.fromtimestamp(first, tz).date()
        sunday = begin - timedelta(days=(begin.weekday() + 1) % 7)
        stop_day = datetime.fromtimestamp(last, tz).date()
        starts: list[int] = []
        ends: list[int] = []
        while sunday <= stop_day:
            for open_min, close_min in weekly:
                if close_min <= open_min:
                    continue
                if sunday + timedelta(days=open_min // 1440) in closed:
                    continue
                starts.append(_local(sunday, open_min, tz))
                ends.append(_local(sunday, close_min, tz))
            sunday += timedelta(days=7)
        s, e = np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)
        order = np.argsort(s, kind="stable")
        s, e = s[order], e[order]
        lengths = np.maximum(0, e - s)
        before = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        return cls(s, e, before)

    def elapsed(self, t) -> np.ndarray:
        """Business seconds from the start of the span to each time in `t`."""
        t = np.asarray(t, dtype=np.int64)
        k = np.searchsorted(self.starts, t, side="right") - 1
        inside = k >= 0
        kk = np.where(inside, k, 0)
        if not len(self.starts):
            return np.zeros_like(t)
        part = np.clip(t - self.starts[kk], 0, self.ends[kk] - self.starts[kk])
        return np.where(inside, self.before[kk] + part, 0)

    def between(self, t0, t1) -> np.ndarray:
        """Business seconds from `t0` to `t1` (0 when `t1` is not after `t0`)."""
        return np.maximum(0, self.elapsed(t1) - self.elapsed(t0))

    def after(self, t, seconds) -> np.ndarray:
        """The moment `seconds` business seconds after each `t` (never before `t`); `NEVER` past the span."""
        t = np.asarray(t, dtype=np.int64)
        goal = self.elapsed(t) + np.asarray(seconds, dtype=np.int64)
        if not len(self.starts):
            return np.full(np.shape(goal), NEVER, dtype=np.int64)
        reached = self.before + (self.ends - self.starts)
        k = np.searchsorted(reached, goal, side="left")
        beyond = k >= len(self.starts)
        kk = np.where(beyond, 0, k)
        moment = self.starts[kk] + (goal - self.before[kk])
        return np.where(beyond, NEVER, np.maximum(moment, t))
