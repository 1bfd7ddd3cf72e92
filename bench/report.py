"""The figures the benchmark derives from its runs: request minimums, the rate-limit floor, ratios and the table.

Minimum requests are what Zendesk's maximum page sizes allow for the records there are to read: 1,000 per page on the
incremental exports and on `ticket_audits`, 100 on the cursor-paginated lists, at least one request per table, and
no request at all for ticket_metrics when tickets are read in the same sync (the metric sets come sideloaded on the
ticket export pages, `include=metric_sets`). After a change, the exports and the newest-first audit list need only
the pages holding the changed records; the lists have no server-side time filter, so they are read whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

EXPORT_PAGE = 1000
LIST_PAGE = 100
PAGE_SIZE = {"tickets": EXPORT_PAGE, "users": EXPORT_PAGE, "organizations": EXPORT_PAGE, "ticket_metrics": EXPORT_PAGE,
             "ticket_audits": EXPORT_PAGE}
# read from the changes on, not whole
CHANGE_FILTERED = ("tickets", "users", "organizations", "ticket_metrics", "ticket_audits")
# Enterprise plan, requests per minute (https://developer.zendesk.com/api-reference/introduction/rate-limits/)
ENTERPRISE = {"account": 700, "exports": 10}

_PER_TICKET = re.compile(r"/tickets/\d+/")
_EXPORT = re.compile(r"/api/v2/incremental/")


def minimum_requests(records: Mapping[str, int], changed: Mapping[str, int] | None = None) -> dict[str, int]:
    """Per stream: the fewest requests that can read `records` (a full sync) or, with `changed`, the changes since
    the previous sync (`changed[stream]` new or updated records for the streams in CHANGE_FILTERED)."""
    minimum = {}
    for stream, count in records.items():
        if stream == "ticket_metrics" and "tickets" in records:
            minimum[stream] = 0
            continue
        if changed is not None and stream in CHANGE_FILTERED:
            count = changed.get(stream, 0)
        minimum[stream] = max(1, math.ceil(count / PAGE_SIZE.get(stream, LIST_PAGE)))
    return minimum


def request_summary(stats: Mapping[str, Any], log_lines: list[str]) -> dict[str, Any]:
    """Requests of one run. `stats`: the emulator's counters (reset before the run); `log_lines`: its verbose log of
    the run (`GET https://acme.zendesk.com/api/v2/... -> 200 ...`), which also says which requests got a 429."""
    by_route: dict[str, int] = {}
    per_ticket = exports_served = served = throttled = 0
    throttled_routes: dict[str, int] = {}
    for line in log_lines:
        parts = line.split()
        if len(parts) < 4 or parts[2] != "->" or "/api/v2/" not in parts[1]:
            continue
        path = urlsplit(parts[1]).path
        status = parts[3]
        route = re.sub(r"/\d+(?=/|\.json|$)", "/{id}", path).removesuffix(".json").removeprefix("/api/v2/")
        by_route[route] = by_route.get(route, 0) + 1
        if status == "429":
            throttled += 1
            throttled_routes[route] = throttled_routes.get(route, 0) + 1
            continue
        served += 1
        per_ticket += bool(_PER_TICKET.search(path))
        exports_served += bool(_EXPORT.search(path))
    return {"total": int(stats.get("requests_total", 0)), "served": served, "429": throttled,
            "emulator_429": int(stats.get("by_status", {}).get("429", 0)), "per_ticket": per_ticket,
            "exports_served": exports_served, "by_route": dict(sorted(by_route.items())),
            "429_by_route": throttled_routes}


def rate_floor_seconds(exports: int, total: int, time_scale: float, limits: Mapping[str, int] = ENTERPRISE) -> float:
    """The shortest wall time the plan's per-minute limits allow for these requests, in real seconds: requests in
    each limit bucket divided by that bucket's limit per minute, the larger of the two."""
    minutes = max(exports / limits["exports"], total / limits["account"])
    return minutes * 60 / time_scale


def ratio(value: float, base: float) -> float | None:
    return round(value / base, 2) if base else None


def records_per_cpu_second(run: Mapping[str, Any]) -> float:
    return run["records_total"] / run["cpu_seconds"] if run["cpu_seconds"] else 0.0


# ---------------------------------------------------------------------------------------------------------------
# Targets (issue 5), checked on ours' figures


def _target(text: str, met: bool, value: str) -> dict[str, Any]:
    return {"target": text, "met": bool(met), "value": value}


def targets(results: Mapping[str, Any], other_sizes: Mapping[int, float]) -> list[dict[str, Any]]:
    """Each target of issue 5 that this run's figures can decide. `other_sizes`: ours' full-sync peak RSS (MB) in the
    newest results of other account sizes, for the flatness target."""
    checks: list[dict[str, Any]] = []
    scenarios = results["scenarios"]
    full = scenarios.get("full", {}).get("runs", {})
    if "ours" in full:
        ours = full["ours"]
        rate = records_per_cpu_second(ours)
        for name, needed in (("official", 20.0), ("floor", 0.7)):
            if name in full and records_per_cpu_second(full[name]):
                value = rate / records_per_cpu_second(full[name])
                checks.append(_target(f"full sync: records per CPU-second >= {needed:g}x {name}'s", value >= needed,
                                      f"{value:.2f}x ({rate:,.0f} vs {records_per_cpu_second(full[name]):,.0f})"))
        served, minimum = ours["requests"]["served"], scenarios["full"]["minimum_total"]
        checks.append(_target("full sync: requests <= 1.05x the minimum", served <= 1.05 * minimum,
                              f"{served} for a minimum of {minimum} ({served / minimum:.2f}x)"))
        per_ticket = ours["requests"]["per_ticket"]
        checks.append(_target("full sync: zero per-ticket requests", per_ticket == 0, str(per_ticket)))
        peak = ours["peak_rss_mb"]
        checks.append(_target("peak RSS <= 150 MB", peak <= 150, f"{peak:.0f} MB at {results['tickets']:,} tickets"))
        for size, other in sorted(other_sizes.items()):
            change = other / peak - 1
            checks.append(_target(f"peak RSS flat (within 10%) between {results['tickets']:,} and {size:,} tickets",
                                  abs(change) <= 0.10, f"{peak:.0f} MB vs {other:.0f} MB ({change:+.0%})"))
    incremental = scenarios.get("incremental", {})
    if "ours" in incremental.get("runs", {}):
        served, minimum = incremental["runs"]["ours"]["requests"]["served"], incremental["minimum_total"]
        checks.append(_target("incremental: requests <= 1.05x the minimum", served <= 1.05 * minimum,
                              f"{served} for a minimum of {minimum} ({served / minimum:.2f}x)"))
    limited = scenarios.get("rate_limited", {})
    if "ours" in limited.get("runs", {}):
        run = limited["runs"]["ours"]
        over = run.get("wall_over_floor")
        checks.append(_target("rate-limited: wall <= 1.10x the limit floor", over is not None and over <= 1.10,
                              f"{run['wall_seconds']:.1f} s for a floor of {run['limit_floor_seconds']:.1f} s "
                              f"({over}x)"))
        checks.append(_target("rate-limited: zero avoidable 429s", run["requests"]["429"] == 0,
                              str(run["requests"]["429"])))
    return checks


# ---------------------------------------------------------------------------------------------------------------
# Markdown


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _status(run: Mapping[str, Any]) -> str:
    if run.get("timed_out"):
        return f"stopped at {run['timeout']:.0f} s"
    return "ok" if run["exit_code"] == 0 else f"exit {run['exit_code']}"


def markdown(results: Mapping[str, Any], per_stream: bool = True) -> str:
    """The results as Markdown: a table per scenario (and with `per_stream`, records per stream), then the targets."""
    lines = [f"Benchmark {results['date']} on {results['machine']}; `{results['command']}`", ""]
    for scenario in ("full", "incremental", "rate_limited"):
        block = results["scenarios"].get(scenario)
        if not block:
            continue
        lines += [f"**{block['title']}**", ""]
        lines += _scenario_table(scenario, block)
        lines.append("")
        if per_stream:
            lines += _stream_table(block)
        lines += [f"- {note}" for note in block.get("notes", [])]
        lines.append("")
    if results.get("targets"):
        lines += ["**Targets (ours)**", ""]
        lines += [f"- {'met' if t['met'] else 'NOT met'}: {t['target']}: {t['value']}" for t in results["targets"]]
    return "\n".join(lines)


def _stream_table(block: Mapping[str, Any]) -> list[str]:
    names = list(block["runs"])
    rows = ["| stream | truth | min requests | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 3)]
    for stream, truth in block["truth"].items():
        cells = [_fmt(run["records"].get(stream, 0)) for run in block["runs"].values()]
        rows.append(f"| {stream} | {_fmt(truth)} | {_fmt(block['minimum'].get(stream))} | " + " | ".join(cells) + " |")
    return rows


def _scenario_table(scenario: str, block: Mapping[str, Any]) -> list[str]:
    header = ["reader", "records", "wall s", "CPU s", "records/CPU s", "peak RSS MB", "requests", "min requests",
              "429s", "per-ticket", "status"]
    if scenario == "rate_limited":
        header[9:9] = ["limit floor s", "wall/floor"]
    header.append("ours ÷ this, records/CPU s")
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, run in block["runs"].items():
        requests = run["requests"]
        cells = [name, _fmt(run["records_total"]), _fmt(run["wall_seconds"]), _fmt(run["cpu_seconds"]),
                 _fmt(round(records_per_cpu_second(run))), _fmt(run["peak_rss_mb"], 0), _fmt(requests["served"]),
                 _fmt(block.get("minimum_total")), _fmt(requests["429"]), _fmt(requests["per_ticket"]), _status(run)]
        if scenario == "rate_limited":
            cells[9:9] = [_fmt(run.get("limit_floor_seconds")), _fmt(run.get("wall_over_floor"), 2)]
        cells.append(_fmt(run.get("vs_ours", {}).get("records_per_cpu_second"), 2))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


if __name__ == "__main__":
    # `python -m bench.report bench/results/<file>.json`: the summary tables and targets again (the README's section)
    import json
    import sys
    from pathlib import Path

    print(markdown(json.loads(Path(sys.argv[1]).read_text()), per_stream=False))
