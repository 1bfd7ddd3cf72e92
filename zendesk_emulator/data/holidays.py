"""Holidays of the business-hours schedules: route `business_hours/schedules/{id}/holidays`, truth
`schedule_holidays`, mutation `schedule_holidays`.

Zendesk's shape (List Holidays for a Schedule): `{"holidays": [{"id", "name", "start_date", "end_date"}]}`, dates
`YYYY-MM-DD` in the schedule's time zone, both included, no timestamps, one unpaginated list. Each generated schedule
gets its office's public holidays for every year of the account and the year after (so some lie ahead of the clock);
a schedule made by a mutation starts with none. A schedule holds its holidays under `_holidays` (internal, never
rendered), so a deleted schedule takes them with it.

Mutations, as far as they can go without rewriting history: metrics already recorded in business hours were counted
with the holidays of their time (business_hours.py), so a holiday is created on a future date, updated by renaming,
and only a future holiday is deleted. Truth rows are whole records plus `schedule_id`, as the connector emits them.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from . import ids

if TYPE_CHECKING:
    from .catalog import Catalog
    from .dataset import Dataset

THANKSGIVING = 0  # a month of 0 marks the fourth Thursday of November (and the Friday after)
# Per office (the order of catalog_rules.SCHEDULES): (name, month, day, days).
OFFICES = (
    (("New Year's Day", 1, 1, 1), ("Independence Day", 7, 4, 1), ("Thanksgiving", THANKSGIVING, 0, 2),
     ("Christmas Day", 12, 25, 1)),
    (("New Year's Day", 1, 1, 1), ("St Patrick's Day", 3, 17, 1), ("Christmas", 12, 25, 2)),
    (("New Year's Day", 1, 1, 1), ("Labour Day", 5, 1, 1), ("National Day", 8, 9, 1), ("Christmas Day", 12, 25, 1)),
)


def _day(year: int, month: int, day: int) -> date:
    if month == THANKSGIVING:
        first = date(year, 11, 1)
        return first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return date(year, month, day)


def _today(ts: int) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


def build(cat: Catalog) -> None:
    """Give each generated schedule its office's holidays, from the account's first year to the year after its end."""
    serial = 0
    years = range(_today(cat.start).year, _today(cat.end).year + 2)
    for i, schedule in enumerate(cat.schedules):
        out = []
        for year in years:
            for name, month, day, days in OFFICES[i % len(OFFICES)]:
                first = _day(year, month, day)
                serial += 1
                out.append({"id": ids.HOLIDAY + serial, "name": name, "start_date": first.isoformat(),
                            "end_date": (first + timedelta(days=days - 1)).isoformat()})
        schedule["_holidays"] = out


def of(schedule: dict) -> list[dict]:
    return schedule.get("_holidays", [])


def dates(schedule: dict) -> list[tuple[str, str]]:
    return [(h["start_date"], h["end_date"]) for h in of(schedule)]


def listed(cat: Catalog, schedule_id: str) -> list[dict] | None:
    """A live schedule's holidays, oldest first; None when there is no such schedule."""
    for schedule in cat.schedules:
        if str(schedule["id"]) == schedule_id and not schedule.get("_deleted"):
            return sorted(of(schedule), key=lambda h: (h["start_date"], h["id"]))
    return None


def truth(ds: Dataset) -> list[dict]:
    """Every holiday of every schedule listed, whole (id, name, start_date, end_date; holidays have no timestamps)
    with its schedule_id."""
    return [{**h, "schedule_id": s["id"]} for s in ds.catalog.schedules if not s.get("_deleted") for h in of(s)]


def mutate(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    schedules = [s for s in ds.catalog.schedules if not s.get("_deleted")]
    if not schedules:
        return {"created": [], "updated": [], "deleted": []}
    today = _today(ts)
    created = []
    for _ in range(create):
        schedule = schedules[int(rng.random() * len(schedules))]
        first = today + timedelta(days=30 + int(rng.random() * 300))
        hid = max([h["id"] for s in ds.catalog.schedules for h in of(s)] + [ids.HOLIDAY]) + 1
        schedule.setdefault("_holidays", []).append({"id": hid, "name": f"Company day {hid - ids.HOLIDAY}",
                                                     "start_date": first.isoformat(), "end_date": first.isoformat()})
        created.append(hid)
    every = [h for s in schedules for h in of(s) if h["id"] not in created]
    updated = rng.sample(every, min(update, len(every)))
    for holiday in updated:
        holiday["name"] = f"{holiday['name'].split(' (v')[0]} (v{ts % 1000})"
    ahead = [h for h in every if date.fromisoformat(h["start_date"]) > today and h not in updated]
    gone = {h["id"] for h in rng.sample(ahead, min(delete, len(ahead)))}
    for schedule in schedules:
        if gone & {h["id"] for h in of(schedule)}:
            schedule["_holidays"] = [h for h in of(schedule) if h["id"] not in gone]
    return {"created": created, "updated": sorted(h["id"] for h in updated), "deleted": sorted(gone)}
