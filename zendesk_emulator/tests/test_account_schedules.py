"""Business-hours schedules and their holidays: the holiday route and truth, holiday mutations, which schedule is the
account's default, and business time counted under a schedule (business_hours.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from zendesk_emulator.data import ids
from zendesk_emulator.data.business_hours import NEVER, BusinessClock

from .test_account_helpers import ANCHOR, Client, make_account

WEEKDAYS_9_TO_5 = [{"start_time": d * 1440 + 9 * 60, "end_time": d * 1440 + 17 * 60} for d in range(1, 6)]


def _ts(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


@pytest.fixture(scope="module")
def account():
    return make_account(tickets=300)[0]


@pytest.fixture
def fresh():
    account, clock = make_account(tickets=300)
    clock.advance(1000)
    return account, Client(account)


def _listed(client: Client, account) -> list[dict]:
    return [{**h, "schedule_id": s["id"]} for s in client.get("business_hours/schedules.json")["schedules"]
            for h in client.get(f"business_hours/schedules/{s['id']}/holidays.json")["holidays"]]


def test_given_schedules_when_reading_their_holidays_then_the_lists_hold_zendesks_shape_and_the_truth(account):
    client = Client(account)
    body = client.get(f"business_hours/schedules/{ids.SCHEDULE + 1}/holidays.json")
    assert set(body) == {"holidays"}
    assert all(set(h) == {"id", "name", "start_date", "end_date"} and h["start_date"] <= h["end_date"] for h in body["holidays"])
    assert {"Independence Day", "Thanksgiving", "Christmas Day"} <= {h["name"] for h in body["holidays"]}
    thanksgiving = [h for h in body["holidays"] if h["name"] == "Thanksgiving"]
    assert all(date.fromisoformat(h["start_date"]).weekday() == 3 and 22 <= int(h["start_date"][-2:]) <= 28 for h in thanksgiving)
    listed = _listed(client, account)
    assert sorted(listed, key=lambda h: h["id"]) == sorted(account.truth("schedule_holidays"), key=lambda h: h["id"])
    assert len({h["schedule_id"] for h in listed}) == 3
    anchor_day = datetime.fromtimestamp(ANCHOR, UTC).date().isoformat()
    assert any(h["start_date"] > anchor_day for h in listed) and any(h["start_date"] < anchor_day for h in listed)
    one = body["holidays"][0]
    assert client.get(f"business_hours/schedules/{ids.SCHEDULE + 1}/holidays/{one['id']}.json") == {"holiday": one}
    assert client.get(f"business_hours/schedules/{ids.SCHEDULE + 2}/holidays/{one['id']}.json", status=404)
    assert client.get("business_hours/schedules/1/holidays.json", status=404)["error"] == "RecordNotFound"
    assert account.route_name("GET", f"/api/v2/business_hours/schedules/{ids.SCHEDULE + 1}/holidays.json") == \
        "business_hours/schedules/{id}/holidays"


def test_given_schedules_then_the_default_one_is_the_oldest_and_older_than_every_ticket(account):
    schedules = Client(account).get("business_hours/schedules.json")["schedules"]
    oldest = min(schedules, key=lambda s: s["created_at"])
    assert oldest["id"] == ids.SCHEDULE + 1
    first_ticket = int(account.data.tickets.cols.created.min())
    assert all(datetime.fromisoformat(s["created_at"].replace("Z", "+00:00")).timestamp() < first_ticket for s in schedules)


def test_given_holiday_mutations_then_the_route_and_truth_follow_and_past_holidays_stay(fresh):
    account, client = fresh
    before = {h["id"]: h for h in account.truth("schedule_holidays")}
    summary = account.mutate("schedule_holidays", 2, 2, 2)
    assert [len(summary[k]) for k in ("created", "updated", "deleted")] == [2, 2, 2]
    now_day = datetime.fromtimestamp(ANCHOR + 1000, UTC).date().isoformat()
    after = {h["id"]: h for h in _listed(client, account)}
    assert after == {h["id"]: h for h in account.truth("schedule_holidays")}
    assert set(after) == (set(before) | set(summary["created"])) - set(summary["deleted"])
    assert all(after[i]["start_date"] > now_day for i in summary["created"])
    assert all(before[i]["start_date"] > now_day for i in summary["deleted"])
    assert all(after[i]["name"] != before[i]["name"] for i in summary["updated"])
    assert account.mutate("schedules", 0, 0, 5)["deleted"] and ids.SCHEDULE + 1 in {s["id"] for s in account.truth("schedules")}
    assert {h["schedule_id"] for h in account.truth("schedule_holidays")} == {ids.SCHEDULE + 1}


# -- business time --------------------------------------------------------------------------------------------------
def test_given_a_ticket_created_friday_evening_under_mon_fri_9_to_5_then_business_time_starts_monday_9():
    clock = BusinessClock.build(WEEKDAYS_9_TO_5, "Eastern Time (US & Canada)", [], _ts("2025-01-01T00:00:00+00:00"),
                                _ts("2025-12-31T00:00:00+00:00"))
    friday_evening = _ts("2025-03-07T19:30:00-05:00")
    monday_1030 = _ts("2025-03-10T10:30:00-04:00")  # daylight saving began on Sunday the 9th
    assert int(clock.between(friday_evening, monday_1030)) == 90 * 60
    assert int(clock.after(friday_evening, 60 * 60)) == _ts("2025-03-10T10:00:00-04:00")
    assert int(clock.after(friday_evening, 8 * 3600)) == _ts("2025-03-10T17:00:00-04:00")
    assert int(clock.after(friday_evening, 8 * 3600 + 1)) == _ts("2025-03-11T09:00:01-04:00")
    assert int(clock.between(monday_1030, friday_evening)) == 0


def test_given_a_holiday_then_its_business_hours_are_skipped():
    span = (_ts("2025-11-01T00:00:00+00:00"), _ts("2026-02-01T00:00:00+00:00"))
    plain = BusinessClock.build(WEEKDAYS_9_TO_5, "Dublin", [], *span)
    closed = BusinessClock.build(WEEKDAYS_9_TO_5, "Dublin", [("2025-12-25", "2025-12-26")], *span)
    wednesday, monday = _ts("2025-12-24T12:00:00+00:00"), _ts("2025-12-29T12:00:00+00:00")
    assert int(plain.between(wednesday, monday)) == (5 + 8 + 8 + 3) * 3600
    assert int(closed.between(wednesday, monday)) == (5 + 3) * 3600
    assert int(closed.after(wednesday, 5 * 3600 + 60)) == _ts("2025-12-29T09:01:00+00:00")
    assert int(closed.after(monday, 10**9)) == NEVER
