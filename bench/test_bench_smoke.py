"""The benchmark harness end to end on a tiny account: ours and the floor reader, every stream of the catalog, the
three scenarios."""

from __future__ import annotations

import json

import pytest

from bench import run as bench_run
from bench.floor import TABLES
from bench.report import LEVELS
from scripts.airbyte_run import STREAMS


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-results")
    results = bench_run.main(["--tickets", "100", "--readers", "ours,floor", "--time-scale", "60",
                              "--timeout", "120", "--out-dir", str(out)], log=lambda line: None)
    return results, out


def test_given_a_tiny_account_when_benchmarked_then_ours_reads_every_record_of_every_stream_with_the_minimum_requests(
    results,
):
    data, _ = results
    full = data["scenarios"]["full"]
    ours = full["runs"]["ours"]
    truth = full["truth"]

    assert set(truth) == set(STREAMS) and ours["streams"] == list(STREAMS)
    assert ours["exit_code"] == 0 and not ours["timed_out"]
    assert ours["records"] == {stream: n for stream, n in truth.items() if n}  # none missing, none repeated
    assert ours["requests"]["pages"] == ours["minimum_total"] == full["minimum_total"]
    assert ours["requests"]["per_ticket"] == 0
    # The per-row lists, every level, counted apart from the pages and per route (two streams ask an article's
    # comments): exactly one request per parent row each level asks (skip rules applied) and per extra page.
    routes = {level.route for levels in LEVELS.values() for level in levels}
    assert any(len(levels) > 1 for levels in LEVELS.values()) and len(routes) < sum(map(len, LEVELS.values()))
    assert set(ours["requests"]["per_row"]) == routes == set(full["per_row"]["routes"])
    assert ours["requests"]["per_row"] == ours["per_row_minimum"] == {
        route: entry["minimum"] for route, entry in full["per_row"]["routes"].items()}
    assert all(level["skipped"] for level in full["per_row"]["levels"] if level["label"].endswith("level 2"))
    assert ours["requests"]["served"] == (ours["requests"]["pages"] + sum(ours["requests"]["per_row"].values())
                                          + ours["requests"]["estimates"])
    assert ours["requests"]["estimates"] == 3  # tickets/count (for ticket_metrics too), users/count, organizations/count
    assert ours["cpu_seconds"] > 0 and 50 < ours["peak_rss_mb"] < 1000 and ours["wall_seconds"] >= ours["cpu_seconds"] / 4


def test_given_a_tiny_account_when_benchmarked_then_the_floor_reads_the_same_pages_once(results):
    data, _ = results
    full = data["scenarios"]["full"]
    floor, ours = full["runs"]["floor"], full["runs"]["ours"]

    assert floor["exit_code"] == 0
    # Shared export pages requested once; ours also asks the count endpoints for its row estimates.
    counts = {"tickets/count", "users/count", "organizations/count"}
    assert floor["requests"]["by_route"] == {r: n for r, n in ours["requests"]["by_route"].items() if r not in counts}
    # Records as Zendesk sent them: the time-based exports repeat their boundary records, which ours drops.
    assert all(n >= full["truth"][stream] for stream, n in floor["records"].items())
    assert {s for s, n in full["truth"].items() if n} == set(floor["records"])
    assert floor["records"]["tickets"] == full["truth"]["tickets"]
    assert floor["vs_ours"]["records_per_cpu_second"] > 0


def test_given_every_changeable_resource_changed_when_synced_incrementally_then_ours_reads_them_from_its_state(results):
    data, _ = results
    incremental = data["scenarios"]["incremental"]
    ours = incremental["runs"]["ours"]
    changed = incremental["truth"]

    assert "floor" not in incremental["runs"]
    assert len(incremental["mutations"]) >= len(STREAMS) // 2
    assert all(ours["records"].get(stream, 0) >= n for stream, n in changed.items() if n)
    assert ours["records"]["tickets"] < data["scenarios"]["full"]["truth"]["tickets"]  # not a full re-read
    assert ours["requests"]["pages"] <= ours["minimum_total"] + 2


def test_given_the_enterprise_limits_when_synced_then_ours_gets_no_429_and_the_floor_of_the_limits_is_reported(results):
    data, _ = results
    limited = data["scenarios"]["rate_limited"]
    ours = limited["runs"]["ours"]

    assert limited["time_scale"] == 60
    assert ours["requests"]["429"] == 0
    assert ours["limit_floor_seconds"] == pytest.approx(
        max(ours["requests"]["exports_served"] / 10, ours["requests"]["served"] / 700) * 60 / 60, abs=0.1)
    assert ours["wall_over_floor"] == pytest.approx(ours["wall_seconds"] / ours["limit_floor_seconds"], abs=0.01)
    exports = {TABLES[s].stream.endpoint.removesuffix(".json") for s in STREAMS
               if TABLES[s].stream.endpoint.startswith("incremental/")}
    exports |= {level.route for levels in LEVELS.values() for level in levels if level.route.startswith("incremental/")}
    assert set(ours["exports_by_route"]) == exports


def test_given_a_run_then_its_results_are_written_as_json_and_a_markdown_table_with_the_projection(results):
    data, out = results
    (json_file,) = out.glob("bench-100-*.json")
    (markdown_file,) = out.glob("bench-100-*.md")

    assert json.loads(json_file.read_text())["scenarios"].keys() == {"full", "incremental", "rate_limited"}
    table = markdown_file.read_text()
    assert "| ours | 33/33 |".replace("33", str(len(STREAMS))) in table and "| floor |" in table
    assert "**Projection:" in table and "Targets (ours)" in table
    assert "| per-row route |" in table and "| help_center/articles/{id}/comments | article_comments: " in table
    assert {t["target"] for t in data["targets"]} >= {"full sync: zero per-ticket requests (per-row lists apart)",
                                                       "peak RSS <= 150 MB"}
