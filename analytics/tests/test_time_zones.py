"""The time zone seeds (analytics/pipeline/timezones.py): what the generator writes from tzdata, under every Rails zone
name Zendesk (and the emulator) uses, with the offsets and daylight spans the IANA rules give. About 5 s."""

from __future__ import annotations

import csv
import json
import subprocess

import pytest

from analytics.tests.helpers import ANALYTICS_PYTHON, ROOT, setup_analytics_venv
from zendesk_emulator.data.catalog_rules import SCHEDULES
from zendesk_emulator.data.textpool import TIME_ZONES

PIPELINE = ROOT / "analytics" / "pipeline"
SEEDS = ROOT / "analytics" / "seeds"


def _rows(path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _rails() -> dict[str, str]:
    return {row["rails_name"]: row["iana_name"] for row in _rows(PIPELINE / "rails_time_zones.csv")}


def test_given_the_rails_mapping_then_it_names_every_zone_zendesk_offers_once_and_the_emulators_alike():
    rows = _rows(PIPELINE / "rails_time_zones.csv")
    rails = _rails()
    assert len(rows) == len(rails) == 151  # ActiveSupport::TimeZone::MAPPING (Rails 7)
    for name, iana in TIME_ZONES:  # users' zones, as the emulator pairs them
        assert rails[name] == iana
    assert {zone for _, zone, _, _ in SCHEDULES} <= set(rails)
    assert [row["time_zone"] for row in _rows(SEEDS / "zendesk_time_zone.csv")] == sorted(rails)


def test_given_tzdata_when_the_seeds_are_generated_again_then_they_are_the_committed_ones():
    setup_analytics_venv()
    script = ("import json\nfrom analytics.pipeline.timezones import fractional_spans, seed_texts\n"
              "zones, daylight = seed_texts()\n"
              "left = {z: [(s.start.date().isoformat(), s.end.date().isoformat()) for s in spans]"
              " for z, spans in fractional_spans().items()}\n"
              "print(json.dumps([zones, daylight, left]))\n")
    done = subprocess.run([str(ANALYTICS_PYTHON), "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    zones, daylight, left_out = json.loads(done.stdout)
    assert zones == (SEEDS / "zendesk_time_zone.csv").read_text()
    assert daylight == (SEEDS / "zendesk_daylight_time.csv").read_text()
    # Offsets off the standard one by part of an hour cannot be written in whole hours: left out, and only these.
    assert left_out["America/Caracas"] == [["2007-12-09", "2016-05-01"]]
    assert set(left_out) == {"Africa/Monrovia", "America/Caracas", "America/Guyana", "America/Montevideo",
                             "Asia/Colombo", "Asia/Kathmandu", "Asia/Kuala_Lumpur", "Asia/Singapore", "Asia/Tehran"}


@pytest.mark.parametrize(("zone", "standard", "year", "start", "end", "hours"), [
    ("Eastern Time (US & Canada)", "-05:00", "2025", "2025-03-09 07:00:00", "2025-11-02 06:00:00", "1"),
    ("Pacific Time (US & Canada)", "-08:00", "2024", "2024-03-10 10:00:00", "2024-11-03 09:00:00", "1"),
    ("London", "+00:00", "2025", "2025-03-30 01:00:00", "2025-10-26 01:00:00", "1"),
    ("Dublin", "+00:00", "2025", "2025-03-30 01:00:00", "2025-10-26 01:00:00", "1"),
    ("Berlin", "+01:00", "2026", "2026-03-29 01:00:00", "2026-10-25 01:00:00", "1"),
    ("Sydney", "+10:00", "2025", "2025-10-04 16:00:00", "2026-04-04 16:00:00", "1"),
    ("Santiago", "-04:00", "2025", "2025-09-07 04:00:00", "2026-04-05 03:00:00", "1"),
    ("Moscow", "+03:00", "2011", "2011-03-26 23:00:00", "2014-10-25 22:00:00", "1"),  # +04:00 all year
])
def test_given_a_zone_with_daylight_time_then_its_standard_offset_and_span_are_the_iana_rules(
    zone, standard, year, start, end, hours
):
    standards = {row["time_zone"]: row["standard_offset"] for row in _rows(SEEDS / "zendesk_time_zone.csv")}
    spans = [row for row in _rows(SEEDS / "zendesk_daylight_time.csv") if row["time_zone"] == zone]
    assert standards[zone] == standard
    assert {"time_zone": zone, "year": year, "daylight_start_utc": start, "daylight_end_utc": end,
            "daylight_offset": hours} in spans


@pytest.mark.parametrize(("zone", "standard"), [("Singapore", "+08:00"), ("Arizona", "-07:00"), ("Kolkata", "+05:30"),
                                                ("Kathmandu", "+05:45"), ("UTC", "+00:00")])
def test_given_a_zone_without_daylight_time_now_then_no_span_after_2020(zone, standard):
    standards = {row["time_zone"]: row["standard_offset"] for row in _rows(SEEDS / "zendesk_time_zone.csv")}
    assert standards[zone] == standard
    assert not [row for row in _rows(SEEDS / "zendesk_daylight_time.csv")
                if row["time_zone"] == zone and int(row["year"]) > 2020]
