"""Write the dbt seeds `zendesk_time_zone.csv` and `zendesk_daylight_time.csv` from the IANA database.

`dbt_zendesk` computes business hours from two reference tables Fivetran's connector syncs and Zendesk's API does
not offer: `time_zone` (a zone's standard offset, `[+-]HH:MM`) and `daylight_time` (per zone and year, when
daylight time starts and ends in UTC, and its offset in whole hours). Zendesk names zones as Ruby on Rails does
(`ActiveSupport::TimeZone`: "Eastern Time (US & Canada)", "London", ...) in schedules and users; `rails_time_zones.csv`
maps each of those names to its IANA zone, and this module reads the IANA rules from the `tzdata` package (pinned in
analytics/requirements.txt, so the seeds do not change with the machine's system zone files).

Fivetran's shape holds one standard offset per zone, so a zone's history is expressed against it: the standard
offset is the lowest offset the zone uses in STANDARD_YEARS (its current rules), and every span of the range whose
offset differs from it is a `daylight_time` row, summer time or not (Moscow's +04:00 of 2011-2014 is a one-hour
"daylight" span over its standard +03:00). A span that differs by a fraction of an hour cannot be written in whole
hours; it is left out (the standard offset applies there) and listed by `fractional_spans`.

    .venvs/analytics/bin/python -m analytics.pipeline.timezones          # rewrite the two seeds
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RAILS_ZONES = HERE / "rails_time_zones.csv"
SEEDS = HERE.parent / "seeds"
TIME_ZONE_SEED = SEEDS / "zendesk_time_zone.csv"
DAYLIGHT_TIME_SEED = SEEDS / "zendesk_daylight_time.csv"

UTC = dt.UTC
FIRST_YEAR, LAST_YEAR = 1970, 2040  # the package starts its standard spans in 1970
STANDARD_YEARS = range(2026, 2030)
_DAY = 86400


@dataclass(frozen=True)
class Span:
    """A stretch of time (UTC, end excluded) when a zone's offset differs from its standard offset."""

    start: dt.datetime
    end: dt.datetime
    difference: dt.timedelta


def rails_zones() -> dict[str, str]:
    """Rails (Zendesk) zone name -> IANA zone name."""
    with RAILS_ZONES.open(newline="") as handle:
        return {row["rails_name"]: row["iana_name"] for row in csv.DictReader(handle)}


def iana_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone from the `tzdata` package, never from the system's zone files."""
    if zoneinfo.TZPATH:
        zoneinfo.reset_tzpath([])
    return zoneinfo.ZoneInfo(name)


def _offset(zone: zoneinfo.ZoneInfo, moment: int) -> dt.timedelta:
    offset = dt.datetime.fromtimestamp(moment, zone).utcoffset()
    assert offset is not None
    return offset


def _unix(year: int, month: int = 1) -> int:
    return int(dt.datetime(year, month, 1, tzinfo=UTC).timestamp())


def standard_offset(zone: zoneinfo.ZoneInfo) -> dt.timedelta:
    return min(_offset(zone, _unix(year, month)) for year in STANDARD_YEARS for month in range(1, 13))


def _transition(zone: zoneinfo.ZoneInfo, low: int, high: int) -> int:
    """The first second in (low, high] with `high`'s offset, offsets changing once in between."""
    target = _offset(zone, high)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, middle) == target:
            high = middle
        else:
            low = middle
    return high


def spans(zone: zoneinfo.ZoneInfo) -> Iterator[Span]:
    """The zone's spans off its standard offset from FIRST_YEAR to the end of LAST_YEAR, found day by day (no
    zone changes its offset twice within a day) and pinned to the second."""
    standard = standard_offset(zone)
    moment, end = _unix(FIRST_YEAR), _unix(LAST_YEAR + 1)
    current, since = _offset(zone, moment), moment
    while moment < end:
        following = min(moment + _DAY, end)
        offset = _offset(zone, following)
        if offset != current:
            changed = _transition(zone, moment, following)
            if current != standard:
                yield Span(_utc(since), _utc(changed), current - standard)
            current, since = offset, changed
        moment = following
    if current != standard:
        yield Span(_utc(since), _utc(end), current - standard)


def _utc(moment: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(moment, UTC)


def _whole_hours(span: Span) -> bool:
    return span.difference % dt.timedelta(hours=1) == dt.timedelta(0)


def fractional_spans() -> dict[str, list[Span]]:
    """The spans left out of the daylight table: differences that are not whole hours, by IANA zone."""
    found = {}
    for iana in sorted(set(rails_zones().values())):
        odd = [span for span in spans(iana_zone(iana)) if not _whole_hours(span)]
        if odd:
            found[iana] = odd
    return found


def _hh_mm(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def seed_texts() -> tuple[str, str]:
    """The two seeds' CSV texts: (time_zone, daylight_time)."""
    zones = rails_zones()
    per_iana = {iana: (standard_offset(iana_zone(iana)), list(spans(iana_zone(iana)))) for iana in set(zones.values())}
    time_zone, daylight = io.StringIO(), io.StringIO()
    tz_writer, dt_writer = csv.writer(time_zone, lineterminator="\n"), csv.writer(daylight, lineterminator="\n")
    tz_writer.writerow(["time_zone", "standard_offset"])
    dt_writer.writerow(["time_zone", "year", "daylight_start_utc", "daylight_end_utc", "daylight_offset"])
    for rails_name in sorted(zones):
        standard, zone_spans = per_iana[zones[rails_name]]
        tz_writer.writerow([rails_name, _hh_mm(standard)])
        for span in zone_spans:
            if _whole_hours(span):
                hours = span.difference // dt.timedelta(hours=1)
                dt_writer.writerow([rails_name, span.start.year, _stamp(span.start), _stamp(span.end), hours])
    return time_zone.getvalue(), daylight.getvalue()


def main() -> None:
    time_zone, daylight = seed_texts()
    TIME_ZONE_SEED.write_text(time_zone)
    DAYLIGHT_TIME_SEED.write_text(daylight)
    print(f"{TIME_ZONE_SEED}: {time_zone.count(chr(10)) - 1} zones; {DAYLIGHT_TIME_SEED}: {daylight.count(chr(10)) - 1} spans")
    for iana, odd in fractional_spans().items():
        print(f"  left out ({iana}): " + ", ".join(f"{s.start:%Y-%m-%d}..{s.end:%Y-%m-%d} {s.difference}" for s in odd))


if __name__ == "__main__":
    main()
