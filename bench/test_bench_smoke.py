"""The benchmark harness end to end on a tiny account: ours and the floor reader, the three scenarios."""

from __future__ import annotations

import json

import pytest

from bench import run as bench_run


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-results")
    results = bench_run.main(["--tickets", "300", "--readers", "ours,floor", "--time-scale", "30",
                              "--timeout", "120", "--out-dir", str(out)], log=lambda line: None)
    return results, out


def test_given_a_tiny_account_when_benchmarked_then_ours_reads_every_record_with_the_minimum_requests(results):
    data, _ = results
    full = data["scenarios"]["full"]
    ours = full["runs"]["ours"]
    truth = full["truth"]

    assert ours["exit_code"] == 0 and not ours["timed_out"]
    assert ours["records"] == truth  # one record per record Zendesk holds, none missing, none repeated
    assert ours["requests"]["served"] == full["minimum_total"] and ours["requests"]["per_ticket"] == 0
    assert ours["cpu_seconds"] > 0 and 50 < ours["peak_rss_mb"] < 1000 and ours["wall_seconds"] >= ours["cpu_seconds"] / 4


def test_given_a_tiny_account_when_benchmarked_then_the_floor_reads_the_same_tables(results):
    data, _ = results
    full = data["scenarios"]["full"]
    floor = full["runs"]["floor"]

    assert floor["exit_code"] == 0
    assert set(floor["records"]) == set(full["truth"])
    assert floor["records"]["tickets"] == full["truth"]["tickets"]
    assert floor["vs_ours"]["records_per_cpu_second"] > 0


def test_given_changes_when_synced_incrementally_then_ours_reads_them_from_its_state(results):
    data, _ = results
    incremental = data["scenarios"]["incremental"]
    ours = incremental["runs"]["ours"]

    assert "floor" not in incremental["runs"]
    changed = incremental["truth"]
    assert changed["tickets"] >= 3 and ours["records"]["tickets"] >= changed["tickets"]
    assert ours["records"]["tickets"] < data["scenarios"]["full"]["truth"]["tickets"]  # not a full re-read
    assert ours["requests"]["served"] <= incremental["minimum_total"] + 2


def test_given_the_enterprise_limits_when_synced_then_ours_gets_no_429_and_the_floor_of_the_limits_is_reported(results):
    data, _ = results
    limited = data["scenarios"]["rate_limited"]
    ours = limited["runs"]["ours"]

    assert limited["time_scale"] == 30
    assert ours["requests"]["429"] == 0
    assert ours["limit_floor_seconds"] == pytest.approx(
        max(ours["requests"]["exports_served"] / 10, ours["requests"]["served"] / 700) * 60 / 30, abs=0.1)
    assert ours["wall_over_floor"] == pytest.approx(ours["wall_seconds"] / ours["limit_floor_seconds"], abs=0.01)


def test_given_a_run_then_its_results_are_written_as_json_and_a_markdown_table(results):
    data, out = results
    (json_file,) = out.glob("bench-300-*.json")
    (markdown_file,) = out.glob("bench-300-*.md")

    assert json.loads(json_file.read_text())["scenarios"].keys() == {"full", "incremental", "rate_limited"}
    table = markdown_file.read_text()
    assert "| ours |" in table and "| floor |" in table and "Targets (ours)" in table
    assert {t["target"] for t in data["targets"]} >= {"full sync: zero per-ticket requests", "peak RSS <= 150 MB"}
