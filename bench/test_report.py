"""The benchmark's arithmetic and its reading of connector output, without running anything."""

from __future__ import annotations

import json

import pytest

from bench import report
from bench.runners import Scan


def test_minimum_requests_of_a_full_sync_follow_the_maximum_page_sizes_and_the_sideload():
    records = {"tickets": 100_000, "users": 25_001, "groups": 200, "tags": 0, "ticket_metrics": 99_000,
               "ticket_audits": 91_756}

    minimum = report.minimum_requests(records)

    assert minimum == {"tickets": 100, "users": 26, "groups": 2, "tags": 1, "ticket_metrics": 0, "ticket_audits": 92}


def test_minimum_requests_after_changes_read_the_changes_from_the_exports_and_whole_lists():
    records = {"tickets": 100_000, "organizations": 5000, "macros": 2000, "ticket_metrics": 99_000,
               "ticket_audits": 92_000}
    changed = {"tickets": 1000, "organizations": 0, "macros": 20, "ticket_metrics": 1000, "ticket_audits": 1001}

    minimum = report.minimum_requests(records, changed)

    assert minimum == {"tickets": 1, "organizations": 1, "macros": 20, "ticket_metrics": 0, "ticket_audits": 2}


def test_without_tickets_selected_ticket_metrics_need_their_own_export_pages():
    assert report.minimum_requests({"ticket_metrics": 2500}) == {"ticket_metrics": 3}


def test_the_rate_limit_floor_is_the_slower_bucket_in_real_seconds():
    assert report.rate_floor_seconds(exports=130, total=264, time_scale=1) == pytest.approx(780)
    assert report.rate_floor_seconds(exports=10, total=2100, time_scale=2) == pytest.approx(90)


def test_requests_are_read_from_the_emulator_log_with_429s_and_per_ticket_routes_apart():
    log = [
        "GET https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?start_time=1 -> 200 4000B 30.0ms",
        "GET https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=x -> 429 80B 0.2ms",
        "GET https://acme.zendesk.com/api/v2/tickets/12/audits.json?page[size]=100 -> 200 900B 1.0ms",
        "GET https://acme.zendesk.com/api/v2/tickets/13/metrics -> 200 900B 1.0ms",
        "GET http://127.0.0.1:1/_emulator/stats -> 200 10B 0.1ms",
        "a line that is not a request",
    ]

    summary = report.request_summary({"requests_total": 4, "by_status": {"429": 1}}, log)

    assert (summary["served"], summary["429"], summary["per_ticket"], summary["exports_served"]) == (3, 1, 2, 1)
    assert summary["by_route"] == {"incremental/tickets/cursor": 2, "tickets/{id}/audits": 1, "tickets/{id}/metrics": 1}
    assert summary["429_by_route"] == {"incremental/tickets/cursor": 1}


def _lines(*messages: dict) -> list[bytes]:
    return [json.dumps(m, separators=(",", ":")).encode() + b"\n" for m in messages]


def test_scan_counts_airbyte_records_per_stream_and_keeps_the_newest_state_of_each():
    scan = Scan("airbyte")
    state = lambda name, value: {"type": "STATE", "state": {"type": "STREAM", "stream": {  # noqa: E731
        "stream_descriptor": {"name": name}, "stream_state": {"v": value}}}}
    for line in _lines(
        {"type": "RECORD", "record": {"stream": "tickets", "data": {"id": 1, "stream": "not this"}, "emitted_at": 1}},
        {"type": "RECORD", "record": {"stream": "tickets", "data": {"id": 2}, "emitted_at": 1}},
        state("tickets", 1),
        {"type": "RECORD", "record": {"stream": "users", "data": {"id": 3}, "emitted_at": 1}},
        state("tickets", 2),
        {"type": "TRACE", "trace": {"type": "ERROR", "error": {"message": "boom"}}},
        {"type": "LOG", "log": {"level": "INFO", "message": "\"RECORD\" \"stream\":\"x\""}},
    ):
        scan.line(line)

    assert scan.records == {"tickets": 2, "users": 1}
    assert [s["stream"]["stream_state"] for s in scan.resume_state()] == [{"v": 2}]
    assert scan.errors == ["boom"]


def test_scan_counts_singer_records_and_keeps_the_last_state_value():
    scan = Scan("singer")
    for line in _lines({"type": "RECORD", "stream": "tickets", "record": {"id": 1}},
                       {"type": "STATE", "value": {"bookmarks": {"tickets": 1}}},
                       {"type": "STATE", "value": {"bookmarks": {"tickets": 2}}}):
        scan.line(line)

    assert scan.records == {"tickets": 1}
    assert scan.resume_state() == {"bookmarks": {"tickets": 2}}


def _run(records: int, cpu: float, **extra) -> dict:
    return {"records_total": records, "cpu_seconds": cpu, "peak_rss_mb": 120.0, "wall_seconds": 10.0,
            "exit_code": 0, "requests": {"served": 263, "429": 0, "per_ticket": 0}, **extra}


def test_targets_are_decided_from_ours_figures():
    results = {"tickets": 100_000, "scenarios": {
        "full": {"minimum_total": 263, "runs": {"ours": _run(300_000, 15.0), "official": _run(200_000, 1000.0),
                                               "floor": _run(300_000, 14.0)}},
        "rate_limited": {"runs": {"ours": _run(300_000, 15.0, limit_floor_seconds=100.0, wall_over_floor=1.2)}},
    }}

    checks = {c["target"]: c["met"] for c in report.targets(results, {1_000_000: 125.0})}

    assert checks["full sync: records per CPU-second >= 20x official's"] is True
    assert checks["full sync: records per CPU-second >= 0.7x floor's"] is True
    assert checks["full sync: requests <= 1.05x the minimum"] is True
    assert checks["peak RSS flat (within 10%) between 100,000 and 1,000,000 tickets"] is True
    assert checks["rate-limited: wall <= 1.10x the limit floor"] is False
