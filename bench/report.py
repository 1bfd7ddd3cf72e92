"""The figures the benchmark derives from its runs: request minimums, the rate-limit floor, ratios, a projection to a
large account, and the tables.

Minimum requests are what Zendesk's maximum page sizes allow for the records there are to read, stream by stream of
the connector's catalog (bench/floor.py derives how each stream reads from its class): 1,000 a page on the exports
and on `ticket_audits`, 100 on the cursor lists, one request for a list Zendesk serves whole, one more for an export
whose end shows only on a page without records (the Help Center article export), at least one request a stream, and
none at all for a stream that reads another selected stream's pages (a sideload such as the metric sets or the
identities, or the same export, as the ticket event export's comments and field history): those pages are counted
once, for the stream that requests them. After a change, the streams Zendesk filters by their position (the
exports, the audit walk, the lists asked from a time) need only the pages holding the changed records; the others
are read whole.

Records Zendesk lists only per parent row (side_conversations per ticket, an article's comments, a comment's votes)
are asked row by row, at every level of a nested list (per_parent.py): those requests are counted apart from the
pages, per route (`request_summary`'s `per_row`), never as per-ticket requests of the other streams. Their minimum
(`per_row_minimum`) is computed level by level from the truth: one request per parent row the level asks (rows its
`skip` rule matches, or its `only` rule does not, are not asked), more where a row has more records than a page holds; a nested level's parents are
the records its level above lists. Two streams may ask the same route (article_comments, and article_comment_votes
for the comments it asks votes of): Zendesk's log cannot tell whose request it was, so requests and minimums are
compared per route, the minimum of a route being the sum of the levels asking it, each stream asking for itself.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bench.floor import TABLES, publishers
from source_zendesk_support.per_parent import PerParentList

# Enterprise plan, requests per minute (https://developer.zendesk.com/api-reference/introduction/rate-limits/)
ENTERPRISE = {"account": 700, "exports": 10}

_PER_TICKET = re.compile(r"/tickets/\d+/")
_EXPORT = re.compile(r"/api/v2/incremental/")
# The count endpoints ours asks once per sync for its row estimates (source_zendesk_support/estimates.py).
_COUNT = re.compile(r"/api/v2/(tickets|users|organizations)/count(\.json)?$")


def _route(path: str) -> str:
    """A request path as a route name: ids as {id}, without /api/v2/ and .json (tickets/{id}/side_conversations); a
    per-row list asked by a text key (a custom object's) named as its template."""
    route = re.sub(r"/\d+(?=/|\.json|$)", "/{id}", path).removesuffix(".json").removeprefix("/api/v2/")
    return next((template for template, pattern in TEXT_KEYED.items() if pattern.fullmatch(route)), route)


def _template_route(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{id}", path).removesuffix(".json")


@dataclass(frozen=True)
class Level:
    """One level of a stream's per-row list: `depth` 1 is asked per row of the stream's pages, 2 per record of level 1
    (a nested list), and so on."""

    stream: str
    depth: int
    spec: PerParentList

    @property
    def route(self) -> str:
        return _template_route(self.spec.path)

    @property
    def leaf(self) -> bool:
        return self.spec.nested is None

    @property
    def label(self) -> str:
        nested = self.depth > 1 or not self.leaf
        return f"{self.stream} level {self.depth}" if nested else self.stream


def _levels(stream: str, spec: PerParentList) -> list[Level]:
    levels = [Level(stream, 1, spec)]
    while levels[-1].spec.nested is not None:
        levels.append(Level(stream, levels[-1].depth + 1, levels[-1].spec.nested))
    return levels


# Every level of the catalog's per-row lists, by stream, and the levels asking each route (several streams may).
LEVELS: dict[str, list[Level]] = {name: _levels(name, t.per_parent) for name, t in TABLES.items() if t.per_parent}
CHILD_ROUTES: dict[str, tuple[Level, ...]] = {}
for _levels_of in LEVELS.values():
    for _level in _levels_of:
        CHILD_ROUTES[_level.route] = (*CHILD_ROUTES.get(_level.route, ()), _level)
# The per-row routes whose rows are named by a text key rather than a numeric id (custom_objects/{key}/fields).
TEXT_KEYED = {level.route: re.compile(re.escape(level.route).replace(re.escape("{id}"), "[^/]+"))
              for levels in LEVELS.values() for level in levels if set(level.spec.placeholders) - {"id"}}
ENDPOINT_ROUTES: dict[str, str] = {}
for _name, _table in TABLES.items():
    ENDPOINT_ROUTES.setdefault(_template_route(_table.stream.endpoint), _table.family)


def minimum_requests(records: Mapping[str, int], selected: Iterable[str] | None = None,
                     changed: Mapping[str, int] | None = None) -> dict[str, int]:
    """Per selected stream (default: every stream in `records`), the fewest page requests that read `records` (a
    full sync) or, with `changed`, the changes since the previous sync (`changed[stream]`: its new or updated
    records). A stream's pages are its family's (the stream whose pages it reads, floor.Table.family): counted once,
    on the selected stream that requests them, from the family's own record count when known."""
    selected = list(records) if selected is None else list(selected)
    chosen = publishers(selected)
    minimum = {}
    for stream in selected:
        if chosen[stream] is not None:
            minimum[stream] = 0
            continue
        table = TABLES[stream]
        count = records.get(table.family, records.get(stream, 0))
        if changed is not None and table.filtered:
            count = changed.get(table.family, changed.get(stream, 0))
        size = table.page_size
        minimum[stream] = 1 if size is None else max(1, math.ceil(count / size) + table.trailing_pages)
    return minimum


def listed_stream(level: Level) -> str:
    """The stream whose truth holds the records a level lists: the stream's own at its last level; above it, the
    stream that reads that same route as its records (article_comments for article_comment_votes' level 1)."""
    if level.leaf:
        return level.stream
    owners = [name for name, levels in LEVELS.items() if len(levels) == 1 and levels[0].route == level.route]
    if len(owners) != 1:
        raise ValueError(f"no single stream reads {level.route} as its records ({owners}): the minimum of "
                         f"{level.label} needs that stream's truth")
    return owners[0]


def parent_field(children: Sequence[Mapping[str, Any]], parents: Iterable[Mapping[str, Any]]) -> str | None:
    """The field by which child rows name their parent row (ticket_id, source_id, item_id, post_id): the one `*_id`
    field whose every value is the id of a parent row (ids of different resources never meet in the emulator). None
    when there are no children."""
    if not children:
        return None
    ids = {row.get("id") for row in parents}
    fields = {name for row in children for name in row if name.endswith("_id")}
    matching = sorted(name for name in fields if all(row.get(name) in ids for row in children))
    if len(matching) != 1:
        raise ValueError(f"cannot tell which field of {sorted(fields)} names the parent row: {matching}")
    return matching[0]


def per_row_minimum(truth: Mapping[str, Sequence[Mapping[str, Any]]],
                    parents: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """The fewest per-row requests, level by level of every stream with a per-row list. `truth`: every stream's
    truth rows; `parents`: the rows of each family that are read (the changed ones after a change; default all).
    Level 1 asks each parent row its rules want (PerParentList.wants), a deeper level each record the level above lists
    (every record of the parents it asked) that its own rule does not match; a row needs one request, more where it
    has more records than a page holds. Returns one entry per level: stream, depth, label, route, noun, rows asked,
    rows skipped, minimum, and `asked` (parent id -> requests; for `route_minimums`, not kept in results)."""
    chosen = parents if parents is not None else truth
    levels: list[dict[str, Any]] = []
    for stream, stream_levels in LEVELS.items():
        above_all: Sequence[Mapping[str, Any]] = truth[TABLES[stream].family]
        # A stream keeping one place per row (custom object records, row_state.py) or none (a full refresh:
        # schedule_holidays, custom_object_fields) asks every row every sync.
        position = TABLES[stream].stream.position
        every_row = getattr(position, "every_row", False) or not position.key
        rows: Iterable[Mapping[str, Any]] = (truth if every_row else chosen)[TABLES[stream].family]
        for level in stream_levels:
            listed = truth[listed_stream(level)]
            # The records name their parent by the field the stream injects (custom_object_key: the object's key), or
            # else by the one `*_id` field holding parent ids.
            injected = next(iter(level.spec.inject.items()), None)
            link, parent_key = injected if injected else (parent_field(listed, above_all), "id")
            by_parent: dict[Any, list[Mapping[str, Any]]] = {}
            for child in listed:
                by_parent.setdefault(child.get(link), []).append(child)  # type: ignore[arg-type]
            size = level.spec.paginator.page_records()  # None: a row's whole list comes in one response
            asked: dict[Any, int] = {}
            skipped = 0
            below: list[Mapping[str, Any]] = []
            for row in rows:
                if not level.spec.wants(row):
                    skipped += 1
                    continue
                children = by_parent.get(row.get(parent_key), [])
                asked[row.get(parent_key)] = 1 if size is None else max(1, math.ceil(len(children) / size))
                below += children
            levels.append({"stream": stream, "depth": level.depth, "label": level.label, "route": level.route,
                           "noun": level.spec.noun, "rows": len(asked), "skipped": skipped,
                           "minimum": sum(asked.values()), "asked": asked})
            above_all, rows = listed, below
    return levels


def route_minimums(levels: Iterable[Mapping[str, Any]], streams: Iterable[str] | None = None) -> dict[str, int]:
    """Per route, the per-row minimum of the levels of these streams (default all) asking it, each for itself."""
    selected = None if streams is None else set(streams)
    minimum: dict[str, int] = {}
    for level in levels:
        if selected is None or level["stream"] in selected:
            minimum[level["route"]] = minimum.get(level["route"], 0) + level["minimum"]
    return minimum


def route_table(levels: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per route: the levels asking it (label -> minimum), their sum, and `shared`, the requests a reader listing each
    parent row's list once for every stream asking it would need (the union of the parents asked)."""
    table: dict[str, dict[str, Any]] = {}
    union: dict[str, dict[Any, int]] = {}
    for level in levels:
        entry = table.setdefault(level["route"], {"levels": {}, "minimum": 0, "noun": level["noun"]})
        entry["levels"][level["label"]] = {"minimum": level["minimum"], "rows": level["rows"],
                                           "skipped": level["skipped"]}
        entry["minimum"] += level["minimum"]
        union.setdefault(level["route"], {}).update(level.get("asked", {}))
    for route, entry in table.items():
        entry["shared"] = sum(union[route].values()) if len(entry["levels"]) > 1 else entry["minimum"]
    return table


def request_summary(stats: Mapping[str, Any], log_lines: list[str]) -> dict[str, Any]:
    """Requests of one run. `stats`: the emulator's counters (reset before the run); `log_lines`: its verbose log of
    the run (`GET https://acme.zendesk.com/api/v2/... -> 200 ...`), which also says which requests got a 429.
    `per_row`: served requests of the per-row lists, every level (CHILD_ROUTES), by route (a route two streams ask
    cannot be told apart by stream), apart from `per_ticket` (any other request under tickets/{id}/) and from
    `pages` (served requests that are neither per-row nor `estimates`, the count requests of row estimates)."""
    by_route: dict[str, int] = {}
    per_ticket = exports_served = served = throttled = estimates = 0
    throttled_routes: dict[str, int] = {}
    per_row: dict[str, int] = {}
    for line in log_lines:
        parts = line.split()
        if len(parts) < 4 or parts[2] != "->" or "/api/v2/" not in parts[1]:
            continue
        path = urlsplit(parts[1]).path
        status = parts[3]
        route = _route(path)
        by_route[route] = by_route.get(route, 0) + 1
        if status == "429":
            throttled += 1
            throttled_routes[route] = throttled_routes.get(route, 0) + 1
            continue
        served += 1
        exports_served += bool(_EXPORT.search(path))
        estimates += bool(_COUNT.search(path))
        if route in CHILD_ROUTES:
            per_row[route] = per_row.get(route, 0) + 1
        else:
            per_ticket += bool(_PER_TICKET.search(path))
    return {"total": int(stats.get("requests_total", 0)), "served": served,
            "pages": served - sum(per_row.values()) - estimates, "estimates": estimates,
            "per_row": dict(sorted(per_row.items())),
            "429": throttled, "emulator_429": int(stats.get("by_status", {}).get("429", 0)),
            "per_ticket": per_ticket, "exports_served": exports_served, "by_route": dict(sorted(by_route.items())),
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
# Projection to a large account at Zendesk's real limits

PROJECTED = {"tickets": 1_000_000, "ticket_comments": 5_000_000}
# Records made of ticket updates grow with the comments (every comment is an update); every other stream is scaled
# with the tickets, configuration lists too (an overestimate, a few requests among hundreds of thousands).
GROW_WITH_COMMENTS = ("ticket_comments", "ticket_audits")


def stream_of_route(route: str) -> str | None:
    """The stream (family) a request route serves: a per-row list's stream (None when several streams ask it), the
    family of the stream with that endpoint, `tickets/{id}/<x>` as ticket_<x> or <x>, or the route's own name without
    the export prefix."""
    if route in CHILD_ROUTES:
        askers = {level.stream for level in CHILD_ROUTES[route]}
        return askers.pop() if len(askers) == 1 else None  # a route several streams ask is no one stream's
    if route in ENDPOINT_ROUTES:
        return ENDPOINT_ROUTES[route]
    per_ticket = re.fullmatch(r"tickets/\{id\}/(\w+)", route)
    candidates = (f"ticket_{per_ticket[1]}", per_ticket[1]) if per_ticket else (
        route.removeprefix("incremental/").removesuffix("/cursor"),)
    return next((name for name in candidates if name in TABLES), None)


def growth(truth: Mapping[str, int]) -> dict[str, float]:
    """Per stream: projected records / records at this size."""
    by_tickets = PROJECTED["tickets"] / max(1, truth.get("tickets", 1))
    by_comments = PROJECTED["ticket_comments"] / max(1, truth.get("ticket_comments", 1))
    comment_families = {TABLES[name].family for name in GROW_WITH_COMMENTS}
    return {name: by_comments if TABLES[name].family in comment_families else by_tickets for name in TABLES}


def projection(results: Mapping[str, Any]) -> dict[str, Any] | None:
    """Hours an initial sync of the whole catalog (each reader: the streams it has) takes on a large account at the
    Enterprise limits, from this run's full sync: each stream's requests per record (requests of the routes serving
    it, over the records it emitted of the truth: a stopped run counts what it had read) times its projected records;
    a per-row route is a unit of its own (two streams may ask it), grown as the streams asking it; a selected stream
    the reader never reached is given the minimum Zendesk's page sizes allow at that size. The
    limits' floor for those requests (max(exports / 10, requests / 700) minutes) is multiplied by the reader's
    wall ÷ floor under the limits (rate-limited scenario, when it ran to its end) and compared with the CPU the
    records take at its records per CPU-second: the larger is the projection."""
    full = results.get("scenarios", {}).get("full")
    if not full:
        return None
    truth = full["truth"]
    grow = growth(truth)
    limited = results["scenarios"].get("rate_limited", {}).get("runs", {})
    readers: dict[str, Any] = {}
    for name, run in full["runs"].items():
        streams = run.get("streams") or list(truth)
        complete = run["exit_code"] == 0 and not run.get("timed_out")
        requests: Counter = Counter()
        exports: Counter = Counter()
        for route, count in run["requests"]["by_route"].items():
            unit = route if route in CHILD_ROUTES else stream_of_route(route) or "tickets"
            requests[unit] += count
            exports[unit] += count if route.startswith("incremental/") else 0
        total = export_total = 0.0
        estimated = []
        per_row = {level.route for s in streams for level in LEVELS.get(s, ())}
        units = {TABLES[s].family for s in streams} | per_row | set(requests)
        for unit in sorted(units):
            # How much of what this unit's requests serve was read: the records of the selected streams it serves.
            if unit in CHILD_ROUTES:
                members = [s for s in streams if any(level.stream == s for level in CHILD_ROUTES[unit])]
            else:
                members = [s for s in streams if s == unit or (TABLES[s].family == unit and not TABLES[s].per_parent)]
            read = [run["records"].get(s, 0) / truth[s] for s in members if truth.get(s)]
            done = 1.0 if complete or not read else min(1.0, max(read))
            factor = grow.get(members[0] if members else unit, grow["tickets"])
            if requests[unit] and done > 0:
                total += requests[unit] / done * factor
                export_total += exports[unit] / done * factor
            elif unit in CHILD_ROUTES:
                total += run.get("per_row_minimum", {}).get(unit, 0) * factor
                estimated += members or [unit]
            elif unit in TABLES:
                pages = minimum_requests({unit: round(truth.get(unit, 0) * factor)}, [unit])[unit]
                total += pages
                export_total += pages if TABLES[unit].stream.endpoint.startswith("incremental/") else 0
                estimated += members or [unit]
        records = sum(truth.get(s, 0) * grow.get(s, 1.0) for s in streams)
        rate = records_per_cpu_second(run)
        floor_hours = max(export_total / ENTERPRISE["exports"], total / ENTERPRISE["account"]) / 60
        under_limits = limited.get(name)
        slowdown = (under_limits.get("wall_over_floor") if under_limits and under_limits["exit_code"] == 0
                    and not under_limits.get("timed_out") else None)
        cpu_hours = records / rate / 3600 if rate else None
        hours = max(floor_hours * (slowdown or 1.0), cpu_hours or 0.0)
        readers[name] = {"streams": len(streams), "records": round(records), "requests": round(total),
                         "exports": round(export_total), "limit_floor_hours": round(floor_hours, 1),
                         "wall_over_floor": slowdown, "cpu_hours": None if cpu_hours is None else round(cpu_hours, 1),
                         "hours": round(hours, 1), "estimated_streams": sorted(estimated), "complete": complete}
    return {"tickets": PROJECTED["tickets"], "comments": PROJECTED["ticket_comments"],
            "growth": {"tickets": round(PROJECTED["tickets"] / max(1, truth.get("tickets", 1)), 2),
                       "comments": round(PROJECTED["ticket_comments"] / max(1, truth.get("ticket_comments", 1)), 2)},
            "limits": ENTERPRISE, "readers": readers}


# ---------------------------------------------------------------------------------------------------------------
# Targets, checked on ours' figures


def _target(text: str, met: bool, value: str) -> dict[str, Any]:
    return {"target": text, "met": bool(met), "value": value}


def targets(results: Mapping[str, Any], other_sizes: Mapping[int, float]) -> list[dict[str, Any]]:
    """Each target that this run's figures can decide. `other_sizes`: ours' full-sync peak RSS (MB) in the newest
    results of other account sizes, for the flatness target."""
    checks: list[dict[str, Any]] = []
    scenarios = results["scenarios"]
    full = scenarios.get("full", {}).get("runs", {})
    if "ours" in full:
        ours = full["ours"]
        for name, needed, mine in (("official", 20.0, full.get("ours@official", ours)), ("floor", 0.7, ours),
                                   ("ours-plain", 0.95, ours)):
            if name in full and records_per_cpu_second(full[name]):
                value = records_per_cpu_second(mine) / records_per_cpu_second(full[name])
                same = " on the official's streams" if mine is not ours else ""
                checks.append(_target(f"full sync: records per CPU-second >= {needed:g}x {name}'s{same}",
                                      value >= needed, f"{value:.2f}x ({records_per_cpu_second(mine):,.0f} vs "
                                      f"{records_per_cpu_second(full[name]):,.0f})"))
        served, minimum = ours["requests"]["pages"], ours["minimum_total"]
        checks.append(_target("full sync: requests <= 1.05x the minimum", served <= 1.05 * minimum,
                              f"{served:,} for a minimum of {minimum:,} ({served / minimum:.2f}x)"))
        per_ticket = ours["requests"]["per_ticket"]
        checks.append(_target("full sync: zero per-ticket requests (per-row lists apart)", per_ticket == 0,
                              str(per_ticket)))
        routes = scenarios["full"].get("per_row", {}).get("routes", {})
        for route, needed in ours.get("per_row_minimum", {}).items():
            made = ours["requests"]["per_row"].get(route, 0)
            levels = routes.get(route, {}).get("levels", {})
            askers = " + ".join(f"{label} {_fmt(level['minimum'])}" for label, level in levels.items()
                                if label.split()[0] in ours["streams"])
            checks.append(_target(f"full sync: {route} per-row requests <= 1.05x its minimum",
                                  made <= 1.05 * needed, f"{made:,} for a minimum of {needed:,}"
                                  + (f" ({made / needed:.2f}x)" if needed else "")
                                  + (f"; {askers}" if len(levels) > 1 else "")))
        peak = ours["peak_rss_mb"]
        checks.append(_target("peak RSS <= 150 MB", peak <= 150, f"{peak:.0f} MB at {results['tickets']:,} tickets"))
        for size, other in sorted(other_sizes.items()):
            change = other / peak - 1
            checks.append(_target(f"peak RSS flat (within 10%) between {results['tickets']:,} and {size:,} tickets",
                                  abs(change) <= 0.10, f"{peak:.0f} MB vs {other:.0f} MB ({change:+.0%})"))
    incremental = scenarios.get("incremental", {})
    if "ours" in incremental.get("runs", {}):
        run = incremental["runs"]["ours"]
        served, minimum = run["requests"]["pages"], run["minimum_total"]
        checks.append(_target("incremental: requests <= 1.05x the minimum", served <= 1.05 * minimum,
                              f"{served:,} for a minimum of {minimum:,} ({served / minimum:.2f}x)"))
    limited = scenarios.get("rate_limited", {})
    if "ours" in limited.get("runs", {}):
        run = limited["runs"]["ours"]
        over = run.get("wall_over_floor")
        checks.append(_target("rate-limited: wall <= 1.10x the limit floor", over is not None and over <= 1.10,
                              f"{run['wall_seconds']:,.1f} s for a floor of {run['limit_floor_seconds']:,.1f} s "
                              f"({over}x)"))
        checks.append(_target("rate-limited: zero 429s", run["requests"]["429"] == 0, str(run["requests"]["429"])))
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
    """The results as Markdown: a table per scenario (and with `per_stream`, records per stream), the projection, then
    the targets."""
    lines = [f"Benchmark {results['date']} on {results['machine']}; `{results['command']}`", ""]
    for scenario in ("full", "incremental", "rate_limited"):
        block = results["scenarios"].get(scenario)
        if not block:
            continue
        lines += [f"**{block['title']}**", ""]
        lines += _scenario_table(scenario, block, len(results.get("streams") or block["truth"]))
        lines.append("")
        if block.get("per_row", {}).get("routes"):
            lines += _per_row_table(block) + [""]
        if per_stream:
            lines += _stream_table(block)
            lines.append("")
        if block.get("notes"):
            lines += [f"- {note}" for note in block["notes"]] + [""]
    projected = projection(results)
    if projected:
        lines += _projection_lines(projected)
    if results.get("targets"):
        lines += ["**Targets (ours)**", ""]
        lines += [f"- {'met' if t['met'] else 'NOT met'}: {t['target']}: {t['value']}" for t in results["targets"]]
    return "\n".join(lines)


def _projection_lines(projected: Mapping[str, Any]) -> list[str]:
    growth_ = projected["growth"]
    lines = [f"**Projection: initial sync of {projected['tickets']:,} tickets and {projected['comments']:,} comments "
             f"at the Enterprise limits ({projected['limits']['account']}/min, exports "
             f"{projected['limits']['exports']}/min)**", "",
             "| reader | streams | records | requests | export requests | limit floor h | wall ÷ floor measured | "
             "CPU h | projected h |", "|---|---|---|---|---|---|---|---|---|"]
    for name, row in projected["readers"].items():
        lines.append(f"| {name} | {row['streams']} | {_fmt(row['records'])} | {_fmt(row['requests'])} | "
                     f"{_fmt(row['exports'])} | {_fmt(row['limit_floor_hours'])} | {_fmt(row['wall_over_floor'], 2)} | "
                     f"{_fmt(row['cpu_hours'])} | **{_fmt(row['hours'])}** |")
    lines += ["", f"- how: every stream's records of this run's truth times {growth_['tickets']:g} (tickets), those "
              f"made of ticket updates ({', '.join(GROW_WITH_COMMENTS)} and the streams reading their pages) times "
              f"{growth_['comments']:g} (comments); each stream's requests per record measured in the full sync "
              "(routes attributed to the stream they serve; a stopped run: over the records it had read) times its "
              "projected records; a selected stream never reached: the minimum Zendesk's page sizes allow",
              "- limit floor: max(export requests / 10, requests / 700) minutes; projected hours: the limit floor times "
              "the reader's wall ÷ floor measured under the limits (when that run ended by itself), or the CPU its "
              "records take at its records per CPU-second, whichever is larger"]
    for name, row in projected["readers"].items():
        if row["estimated_streams"] or not row["complete"]:
            lines.append(f"- {name}: " + ("stopped in the full sync: its requests per record are those of what it "
                                          "read; " if not row["complete"] else "")
                         + (f"at the minimum (never reached): {', '.join(row['estimated_streams'])}"
                            if row["estimated_streams"] else ""))
    return lines + [""]


def _stream_table(block: Mapping[str, Any]) -> list[str]:
    names = list(block["runs"])
    rows = ["| stream | truth | min requests | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 3)]
    children = dict(block.get("child_minimum", {}))  # results written before per-row levels were counted
    for level in block.get("per_row", {}).get("levels", ()):
        children[level["stream"]] = children.get(level["stream"], 0) + level["minimum"]
    for stream, truth in block["truth"].items():
        cells = [_fmt(run["records"].get(stream, 0)) if stream in run.get("streams", block["truth"]) else "—"
                 for run in block["runs"].values()]
        needed = _fmt(block["minimum"].get(stream))
        if stream in children:
            needed += f" + {_fmt(children[stream])} per row"
        rows.append(f"| {stream} | {_fmt(truth)} | {needed} | " + " | ".join(cells) + " |")
    return rows


def _per_row_table(block: Mapping[str, Any]) -> list[str]:
    """Per-row requests by route, every level: the levels asking the route with their minimums (rows asked, rows
    their skip rule spares), the route's minimum and each reader's requests (with its own minimum when it reads
    fewer of the streams asking the route); then a note for each route several streams ask."""
    routes = block["per_row"]["routes"]
    names = list(block["runs"])
    rows = ["| per-row route | asked by: minimum (rows asked, skipped) | min requests | " + " | ".join(names) + " |",
            "|" + "---|" * (len(names) + 3)]
    notes = []
    for route, entry in routes.items():
        noun = entry["noun"]
        askers = "; ".join(f"{label}: {_fmt(level['minimum'])} ({_fmt(level['rows'])} {noun}s"
                           + (f", {_fmt(level['skipped'])} skipped)" if level["skipped"] else ")")
                           for label, level in entry["levels"].items())
        cells = []
        for run in block["runs"].values():
            made = run["requests"].get("per_row", {}).get(route, 0)
            needed = run.get("per_row_minimum", {}).get(route)
            if needed is None and not made:
                cells.append("—")
            else:
                cells.append(_fmt(made) + ("" if needed == entry["minimum"] else f" (min {_fmt(needed or 0)})"))
        rows.append(f"| {route} | {askers} | {_fmt(entry['minimum'])} | " + " | ".join(cells) + " |")
        if len(entry["levels"]) > 1:
            notes.append(f"- {route}: asked by {len(entry['levels'])} streams, each for itself (the minimum is their "
                         f"sum; the log cannot tell whose request each was); listed once for all of them it would "
                         f"take {_fmt(entry['shared'])}")
    return rows + ([""] + notes if notes else [])


def _scenario_table(scenario: str, block: Mapping[str, Any], catalog_size: int) -> list[str]:
    header = ["reader", "streams", "records", "wall s", "CPU s", "records/CPU s", "peak RSS MB", "requests",
              "min requests", "per-row requests (min)", "429s", "per-ticket", "status"]
    if scenario == "rate_limited":
        header[10:10] = ["export requests", "limit floor s", "wall/floor"]
    header.append("ours ÷ this, records/CPU s")
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, run in block["runs"].items():
        requests = run["requests"]
        child = sum(requests.get("per_row", requests.get("children", {})).values())
        child_min = sum(run.get("per_row_minimum", run.get("child_minimum", {})).values())
        cells = [name, f"{len(run.get('streams', ()))}/{catalog_size}", _fmt(run["records_total"]),
                 _fmt(run["wall_seconds"]), _fmt(run["cpu_seconds"]), _fmt(round(records_per_cpu_second(run))),
                 _fmt(run["peak_rss_mb"], 0), _fmt(requests.get("pages", requests["served"])),
                 _fmt(run.get("minimum_total")), f"{_fmt(child)} ({_fmt(child_min)})", _fmt(requests["429"]),
                 _fmt(requests["per_ticket"]), _status(run)]
        if scenario == "rate_limited":
            cells[10:10] = [_fmt(requests["exports_served"]), _fmt(run.get("limit_floor_seconds")),
                            _fmt(run.get("wall_over_floor"), 2)]
        cells.append(_fmt(run.get("vs_ours", {}).get("records_per_cpu_second"), 2))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def merged(files: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Several results files of the same account as one: the first file's, with the scenarios the later files add
    (e.g. the rate-limited run of a separate invocation, whose wall ÷ floor the projection then uses)."""
    results = dict(files[0])
    results["scenarios"] = dict(results["scenarios"])
    for other in files[1:]:
        if (other.get("seed"), other.get("tickets"), other.get("streams")) != (
                results.get("seed"), results.get("tickets"), results.get("streams")):
            raise ValueError("results of another account or catalog cannot be merged")
        for name, block in other["scenarios"].items():
            results["scenarios"].setdefault(name, block)
        results["command"] = f"{results['command']}`; `{other['command']}"
    results["targets"] = [t for data in files for t in data.get("targets", [])]
    return results


if __name__ == "__main__":
    # `python -m bench.report bench/results/<file>.json [<more>.json ...]`: the summary tables, projection and targets
    # again; later files add the scenarios the first lacks (a rate-limited run made by another invocation)
    import json
    import sys
    from pathlib import Path

    print(markdown(merged([json.loads(Path(name).read_text()) for name in sys.argv[1:]]), per_stream=False))
