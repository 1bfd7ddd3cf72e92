"""Speed at the limits: ours, Airbyte's official connector, tap-zendesk and a floor reader, side by side.

    .venv/bin/python -m bench.run                       # 100,000 tickets, the four readers, the three scenarios
    .venv/bin/python -m bench.run --quick               # 2,000 tickets, short time limits: a smoke run
    .venv/bin/python -m bench.run --tickets 1000000 --readers ours --scenarios full     # RSS at another size

One emulator (fixed seed and size, plan unlimited) serves every run; the peers' venvs are created on first use
(bench/peers.py). Each reader runs as its own process, one after another, on every stream of the connector's catalog
(source_zendesk_support.streams.STREAMS) it has: ours and the floor all of them, the official connector and
tap-zendesk those of their own discovered catalogs with the same names (and ours once more on the official's, as
`ours@official`, for records per CPU-second on the same streams):

- full: a first sync (incremental streams without state).
- incremental: 1% of the records of every resource the emulator can change updated through /_emulator/mutate
  (created where Zendesk only appends; resources that follow others are changed through those), the clock moved
  120 s (past the minute the exports hold back), then a sync from the state each reader left after its full sync.
  The floor reader has no state and sits this one out.
- rate_limited: the emulator on plan `enterprise` (700 requests/min, 10 export requests/min) with its clock sped
  up (`--time-scale`; by default so that ours' minimum requests take `--rate-seconds`), a full sync each, every run
  starting at a fresh rate-limit minute. Printed: the floor the limits impose on the requests that reader needed
  (served export requests / 10 and all served requests / 700, in minutes, whichever is larger) and its wall time
  against it.

Measured per run (bench/runners.py): records per stream, wall and CPU seconds and peak RSS of the reader's process,
requests and 429s from the emulator (stats reset before each run; its verbose log tells which requests got a 429).
The emulator is pinned to the first CPU and the readers to the others. Results: bench/results/*.json and *.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import peers as P
from bench import report
from bench.floor import TABLES
from bench.runners import READERS, Reader
from scripts.airbyte_run import STREAMS, key_of, key_value, truth_resource
from source_zendesk_support.streams import BY_NAME
from source_zendesk_support.streams.community import COMMUNITY
from source_zendesk_support.streams.help_center import HELP_CENTER
from zendesk_emulator.resources.declaration import ChangedThrough
from zendesk_emulator.resources.registry import BY_NAME as EMULATED
from zendesk_emulator.testing import EmulatorError, EmulatorProcess

RESULTS = Path(__file__).resolve().parent / "results"
GUIDE = [name for name, stream in BY_NAME.items() if stream.requires in (HELP_CENTER, COMMUNITY)]  # --streams guide
FLAT_FROM = 100_000  # the RSS flatness target compares sizes from here up (issue 5: 100,000 and 1,000,000)
ORDER = ("ours", "official", "tap", "floor")
SUBSET = "ours@official"  # ours again on the official connector's streams: records per CPU-second like for like


class Bench:
    def __init__(self, emu: EmulatorProcess, readers: dict[str, Reader], log: Callable[[str], None] = print,
                 streams: list[str] | None = None):
        self.emu, self.readers, self.log = emu, readers, log
        # The streams benchmarked (--streams; default the whole catalog): the readers read those of them they have,
        # and the incremental scenario changes only their resources. Truths and minimums still cover every stream,
        # since a per-row list's minimum needs its parents' rows.
        self.streams = list(streams or STREAMS)
        self.scenarios: dict[str, Any] = {}
        self.full_state: dict[str, Any] = {}
        self._truth: dict[str, list[dict]] | None = None
        self.mutations: dict[str, Any] = {}

    # -- one run -----------------------------------------------------------------------------------------------------
    def run(self, reader: Reader, label: str, state: Any = None) -> dict[str, Any]:
        self.emu.control("POST", "stats/reset")
        log_start = len(self.emu.stderr())
        self.log(f"  [{reader.name}] {label} ({len(reader.streams)} streams) ...")
        measured = reader.read(label, state)
        stats = self.emu.control("GET", "stats")
        requests = report.request_summary(stats, self.emu.stderr()[log_start:].splitlines())
        run = {**{k: v for k, v in vars(measured).items() if k != "state"}, "timeout": reader.timeout,
               "records_total": measured.total_records, "requests": requests, "streams": list(reader.streams)}
        children = sum(requests["per_row"].values())
        self.log(f"  [{reader.name}] {label}: {measured.total_records:,} records, {measured.wall_seconds:.1f} s wall, "
                 f"{measured.cpu_seconds:.1f} s CPU, {measured.peak_rss_mb:.0f} MB, {requests['pages']} requests "
                 f"+ {children} per-row, {requests['per_ticket']} per-ticket, {requests['429']} x 429"
                 + (" (stopped: time limit)" if measured.timed_out else "")
                 + (f", exit {measured.exit_code}" if measured.exit_code and not measured.timed_out else ""))
        if measured.errors:
            self.log(f"  [{reader.name}] errors: {measured.errors}")
        return run | {"_state": measured.state}

    def truth(self) -> dict[str, list[dict]]:
        """Every stream's truth rows now (kept until the account changes)."""
        if self._truth is None:
            self._truth = {stream: self.emu.control("GET", f"truth/{truth_resource(stream)}", timeout=900)
                           for stream in STREAMS}
        return self._truth

    def counts(self) -> dict[str, int]:
        return {stream: len(rows) for stream, rows in self.truth().items() if stream in self.streams}

    def per_row(self, parents: dict[str, list[dict]] | None = None) -> list[dict[str, Any]]:
        """Every level of every per-row list benchmarked with the fewest requests its parent rows need (`parents`:
        the family's rows to read, default all of them), report.per_row_minimum."""
        return [level for level in report.per_row_minimum(self.truth(), parents) if level["stream"] in self.streams]

    def _with_minimums(self, runs: dict[str, Any], counts: dict[str, int], levels: list[dict[str, Any]],
                       changed: dict[str, int] | None = None) -> None:
        for run in runs.values():
            run["minimum"] = report.minimum_requests(counts, run["streams"], changed)
            run["minimum_total"] = sum(run["minimum"].values())
            run["per_row_minimum"] = report.route_minimums(levels, run["streams"])

    # -- scenarios ---------------------------------------------------------------------------------------------------
    def full(self) -> None:
        counts, child = self.counts(), self.per_row()
        minimum = report.minimum_requests(counts)
        self.log(f"full sync; truth {sum(counts.values()):,} records in {len(counts)} streams; minimum "
                 f"{sum(minimum.values()):,} requests + {report.route_minimums(child)} per row")
        runs = {}
        for name, reader in self.readers.items():
            run = runs[name] = self.run(reader, "full")
            self.full_state[name] = run.pop("_state")
        if "ours" in self.readers and "official" in self.readers:
            ours = self.readers["ours"]
            subset = type(ours)(ours.info, ours.dir.parent, ours.timeout, ours.cpus, name=SUBSET,
                                only=self.readers["official"].streams)
            subset.prepare()
            runs[SUBSET] = self.run(subset, "full")
            runs[SUBSET].pop("_state")
        self._with_minimums(runs, counts, child)
        block = self._block("Full sync, plan unlimited", runs, counts, minimum, child)
        if SUBSET in runs:
            block["notes"].append(f"{SUBSET}: ours again, on the streams the official connector has, for records per "
                                  "CPU-second on the same streams")
        self.scenarios["full"] = block

    def incremental(self, percent: float) -> None:
        truth = self.truth()
        before = {stream: _view(truth[stream], stream) for stream in STREAMS}
        for stream in self.streams:
            self.mutations[stream] = self._mutate(stream, max(1, round(len(truth[stream]) * percent / 100)))
        self.emu.control("POST", "clock/advance", json={"seconds": 120})
        self._truth = None
        after = self.truth()
        changed_rows = {stream: [row for row in after[stream]
                                 if before[stream].get(key_value(row, stream)) != _values(row, stream)]
                        for stream in STREAMS}
        changed = {stream: len(rows) for stream, rows in changed_rows.items() if stream in self.streams}
        counts = self.counts()
        minimum = report.minimum_requests(counts, changed=changed)
        child = self.per_row(changed_rows)
        made = {stream: kind for stream, kind in self.mutations.items() if kind}
        self.log(f"incremental after {percent}% changed: {made}; {sum(changed.values()):,} records changed; minimum "
                 f"{sum(minimum.values()):,} requests + {report.route_minimums(child)} per row")
        runs = {}
        for name, reader in self.readers.items():
            if name == "floor":
                continue
            runs[name] = self.run(reader, "incremental", self.full_state.get(name))
            runs[name].pop("_state")
        self._with_minimums(runs, counts, child, changed)
        block = self._block(f"Incremental sync after {percent:g}% of records changed", runs, changed, minimum, child)
        block["mutations"] = made
        block["notes"].insert(0, "truth column: records changed since the full sync (new, or a compared field moved); "
                                 "every resource the emulator can change was changed (updated, or created where "
                                 "Zendesk only appends); the floor reader keeps no state and is not run")
        self.scenarios["incremental"] = block

    def _mutate(self, stream: str, count: int) -> dict[str, int] | None:
        """Update `count` records of `stream`, or create them where the emulator only appends; None when its
        records follow other resources (its emulator declaration's ChangedThrough: identities follow users, ...)."""
        if isinstance(EMULATED[stream].mutate, ChangedThrough):
            return None
        for kind in ("update", "create"):
            try:
                self.emu.control("POST", "mutate", json={"resource": stream, kind: count})
            except EmulatorError:
                continue
            return {kind: count}
        return None

    def rate_limited(self, time_scale: float) -> None:
        counts, child = self.counts(), self.per_row()
        minimum = report.minimum_requests(counts)
        self.emu.control("PUT", "settings", json={"plan": "enterprise", "time_scale": time_scale})
        self.log(f"rate-limited full sync: plan enterprise, time scale {time_scale:g} "
                 f"(a rate-limit minute lasts {60 / time_scale:.1f} s)")
        runs = {}
        try:
            for name, reader in self.readers.items():
                self._wait_for_fresh_minute()
                run = runs[name] = self.run(reader, "rate_limited")
                run.pop("_state")
                requests = run["requests"]
                run["limit_floor_seconds"] = round(
                    report.rate_floor_seconds(requests["exports_served"], requests["served"], time_scale), 1)
                run["wall_over_floor"] = report.ratio(run["wall_seconds"], run["limit_floor_seconds"])
                run["exports_by_route"] = {route: n - requests["429_by_route"].get(route, 0)
                                           for route, n in requests["by_route"].items()
                                           if route.startswith("incremental/")}
                self.log(f"  [{name}] limit floor {run['limit_floor_seconds']} s for {requests['exports_served']} "
                         f"export and {requests['served']} requests; wall/floor {run['wall_over_floor']}")
        finally:
            self.emu.control("PUT", "settings", json={"plan": "unlimited", "time_scale": 1})
        self._with_minimums(runs, counts, child)
        block = self._block(f"Full sync rate-limited: plan enterprise (700/min, exports 10/min), time scale "
                            f"{time_scale:g}", runs, counts, minimum, child)
        block["time_scale"] = time_scale
        block["notes"] += [
            "limit floor: max(served export requests / 10, served requests / 700) minutes, per-row requests "
            "included, in real seconds at this time scale; every run starts at a fresh rate-limit minute with no other "
            "traffic, so every 429 was one that pacing could have avoided"]
        for name, run in runs.items():
            exports = ", ".join(f"{route} {n:,}" for route, n in run["exports_by_route"].items())
            block["notes"].append(f"{name}: export requests served, sharing the 10/min budget: {exports}")
        self.scenarios["rate_limited"] = block

    def _wait_for_fresh_minute(self) -> None:
        clock = self.emu.control("GET", "clock")
        time.sleep((60 - clock["now"] % 60) / clock["time_scale"] + 0.05)

    def _block(self, title: str, runs: dict[str, Any], truth: dict[str, int], minimum: dict[str, int],
               levels: list[dict[str, Any]]) -> dict:
        ours = runs.get("ours")
        for run in runs.values():
            run["vs_ours"] = _vs_ours(run, ours) if ours else {}
        notes = [f"{name} reads {len(run['streams'])} of the {len(self.streams)} streams; not in its catalog: "
                 f"{', '.join(s for s in self.streams if s not in run['streams'])}"
                 for name, run in runs.items() if len(run["streams"]) < len(self.streams) and name != SUBSET]
        return {"title": title, "truth": truth, "minimum": minimum, "minimum_total": sum(minimum.values()),
                "per_row": {"levels": [{k: v for k, v in level.items() if k != "asked"} for level in levels],
                            "routes": report.route_table(levels)},
                "runs": runs, "notes": notes}


def _values(row: dict, stream: str) -> tuple:
    """What a change moves in a truth row: its fields besides the key, as they are."""
    key = key_of(stream)
    keys = set(key) if isinstance(key, tuple) else {key}
    return tuple(sorted((field, json.dumps(value, sort_keys=True)) for field, value in row.items() if field not in keys))


def _view(rows: list[dict], stream: str) -> dict[Any, tuple]:
    return {key_value(row, stream): _values(row, stream) for row in rows}


def _vs_ours(run: dict[str, Any], ours: dict[str, Any]) -> dict[str, float | None]:
    """Ours divided by this reader: records per CPU-second (higher = ours faster); this reader divided by ours:
    wall seconds, requests and peak RSS (higher = this reader costs more)."""
    return {
        "records_per_cpu_second": report.ratio(report.records_per_cpu_second(ours),
                                               report.records_per_cpu_second(run)),
        "wall_seconds": report.ratio(run["wall_seconds"], ours["wall_seconds"]),
        "requests": report.ratio(run["requests"]["served"], ours["requests"]["served"]),
        "peak_rss_mb": report.ratio(run["peak_rss_mb"], ours["peak_rss_mb"]),
    }


def default_time_scale(minimum: dict[str, int], child: dict[str, int], seconds: float) -> float:
    """The time scale at which the limits let ours' minimum requests (`child`: the per-row ones, by route) finish in
    about `seconds` real seconds."""
    exports = sum(n for stream, n in minimum.items() if TABLES[stream].stream.endpoint.startswith("incremental/"))
    floor = report.rate_floor_seconds(exports, sum(minimum.values()) + sum(child.values()), 1.0)
    return round(max(1.0, floor / seconds), 2)


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} CPUs ({model or platform.machine()}), {memory:.0f} GB RAM, "
            f"Linux {platform.release()}, Python {platform.python_version()}")


def pin(emulator_pid: int) -> set[int] | None:
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    os.sched_setaffinity(emulator_pid, {cpus[0]})
    os.sched_setaffinity(0, {cpus[0]})  # the harness only reads pipes: it shares the emulator's CPU
    return set(cpus[1:])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, help="account size (default 100,000; --quick: 2,000)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 tickets, short time limits")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--readers", default=",".join(ORDER), help=f"comma-separated, run in this order: {ORDER}")
    parser.add_argument("--scenarios", default="full,incremental,rate_limited")
    parser.add_argument("--change-percent", type=float, default=1.0, help="records updated before the incremental")
    parser.add_argument("--time-scale", type=float, help="rate-limited scenario's emulated seconds per real second")
    parser.add_argument("--rate-seconds", type=float, help="default time scale: ours' minimum requests take this "
                        "long under the limits (default: 180 s, --quick 20 s, or three times ours' CPU seconds in the "
                        "full sync when that is longer)")
    parser.add_argument("--timeout", type=float, help="seconds per run before it is stopped (default 3600; "
                        "--quick 300)")
    parser.add_argument("--official-timeout", type=float, help="the same for the official connector (default: "
                        "--timeout)")
    parser.add_argument("--tap-timeout", type=float, help="the same for tap-zendesk, whose per-ticket audits are "
                        "self-throttled to 460 tickets a minute (default 600; --quick 120)")
    parser.add_argument("--streams", help="comma-separated stream names: benchmark only these (default: every stream); "
                        "'guide' names the Help Center and community streams")
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.tickets = args.tickets or (2000 if args.quick else 100_000)
    args.timeout = args.timeout or (300 if args.quick else 3600)
    args.tap_timeout = args.tap_timeout or (120 if args.quick else 600)
    args.official_timeout = args.official_timeout or args.timeout
    args.readers = [r for r in args.readers.split(",") if r]
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = [r for r in args.readers if r not in READERS] + [
        s for s in args.scenarios if s not in ("full", "incremental", "rate_limited")]
    if unknown:
        parser.error(f"unknown readers or scenarios: {unknown}")
    if "incremental" in args.scenarios and "full" not in args.scenarios:
        parser.error("the incremental scenario starts from the full sync's state: add 'full'")
    args.streams = _streams(args.streams, parser)
    return args


def _streams(names: str | None, parser: argparse.ArgumentParser) -> list[str]:
    if not names:
        return list(STREAMS)
    wanted = set()
    for name in filter(None, names.split(",")):
        wanted |= set(GUIDE) if name == "guide" else {name}
    unknown = sorted(wanted - set(STREAMS))
    if unknown:
        parser.error(f"unknown streams: {unknown}")
    return [stream for stream in STREAMS if stream in wanted]


def main(argv: list[str] | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    args = parse_args(argv)
    for name in args.readers:
        if name in P.PEERS:
            P.ensure_venv(P.PEERS[name], log)
    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    started = datetime.now(UTC)
    affinity = os.sched_getaffinity(0)
    try:
        bench, counts = _run(args, work, log)
    finally:
        os.sched_setaffinity(0, affinity)  # pin moved this process: give a caller (a test session) its CPUs back
        shutil.rmtree(work, ignore_errors=True)
    command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    results = {"date": started.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "command": command.strip(),
               "seed": args.seed, "tickets": args.tickets, "counts": counts, "readers": args.readers,
               "streams": args.streams, "scenarios": bench.scenarios}
    results["targets"] = report.targets(results, _other_sizes(args.out_dir, args.tickets))
    write(results, args.out_dir, log)
    return results


def _run(args: argparse.Namespace, work: Path, log: Callable[[str], None]) -> tuple[Bench, dict | None]:
    log(f"emulator: seed {args.seed}, {args.tickets:,} tickets; work files in {work}")
    with EmulatorProcess(seed=args.seed, tickets=args.tickets, plan="unlimited", verbose=True,
                         startup_timeout=1800) as emu:
        cpus = pin(emu.process.pid)
        readers = {}
        for name in args.readers:
            timeout = {"tap": args.tap_timeout, "official": args.official_timeout}.get(name, args.timeout)
            readers[name] = READERS[name](emu.info, work, timeout, cpus, only=args.streams)
            readers[name].prepare()
        bench = Bench(emu, readers, log, args.streams)
        if "full" in args.scenarios:
            bench.full()
        if "incremental" in args.scenarios:
            bench.incremental(args.change_percent)
        if "rate_limited" in args.scenarios:
            seconds = args.rate_seconds
            ours = bench.scenarios.get("full", {}).get("runs", {}).get("ours")
            if seconds is None:
                # The limits, not this machine, should bind: ours' CPU at most a third of the wall the limits allow.
                seconds = max(20 if args.quick else 180, 3 * ours["cpu_seconds"] if ours else 0)
            minimum = report.minimum_requests(bench.counts())
            bench.rate_limited(args.time_scale or default_time_scale(minimum, report.route_minimums(bench.per_row()), seconds))
        return bench, emu.info.get("counts")


def _other_sizes(out_dir: Path, tickets: int) -> dict[int, float]:
    """Ours' peak RSS in the newest full sync of every other account size found in out_dir, of the same catalog."""
    peaks: dict[int, tuple[str, float]] = {}
    for path in sorted(out_dir.glob("bench-*.json")):
        try:
            data = json.loads(path.read_text())
            peak = data["scenarios"]["full"]["runs"]["ours"]["peak_rss_mb"]
        except (ValueError, KeyError):
            continue
        same_catalog = data.get("streams") == list(STREAMS)
        if same_catalog and data.get("tickets") != tickets and min(data.get("tickets", 0), tickets) >= FLAT_FROM:
            peaks[data["tickets"]] = (path.name, peak)
    return {size: peak for size, (_, peak) in peaks.items()}


def write(results: dict[str, Any], out_dir: Path, log: Callable[[str], None]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    base = out_dir / f"bench-{results['tickets']}-{stamp}"
    base.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    text = report.markdown(results)
    base.with_suffix(".md").write_text(text + "\n")
    log("")
    log(text)
    log(f"results: {base}.json, {base}.md")


if __name__ == "__main__":
    main()
    sys.exit(0)

