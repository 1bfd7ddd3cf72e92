"""Speed at the limits: ours, Airbyte's official connector, tap-zendesk and a floor reader, side by side.

    .venv/bin/python -m bench.run                       # 100,000 tickets, the four readers, the three scenarios
    .venv/bin/python -m bench.run --quick               # 2,000 tickets, short time limits: a smoke run
    .venv/bin/python -m bench.run --tickets 1000000 --readers ours --scenarios full     # RSS at another size

One emulator (fixed seed and size, plan unlimited) serves every run; the peers' venvs are created on first use
(bench/peers.py). Each reader runs as its own process, one after another, on the same ten tables:

- full: a first sync (incremental streams without state).
- incremental: 1% of tickets, users, organizations, groups, macros and ticket fields updated through
  /_emulator/mutate, the clock moved 120 s (past the minute the exports hold back), then a sync from the state each
  reader left after its full sync. The floor reader has no state and sits this one out.
- rate_limited: the emulator on plan `enterprise` (700 requests/min, 10 export requests/min) with its clock sped
  up (`--time-scale`; by default so that ours' minimum takes `--rate-seconds`), a full sync each, every run starting
  at a fresh rate-limit minute. Printed: the floor the limits impose on the requests that reader needed (served
  export requests / 10 and all served requests / 700, in minutes, whichever is larger) and its wall time against it.

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
from bench.runners import READERS, Reader
from scripts.airbyte_run import STREAMS
from zendesk_emulator.testing import EmulatorProcess

RESULTS = Path(__file__).resolve().parent / "results"
FLAT_FROM = 100_000  # the RSS flatness target compares sizes from here up (issue 5: 100,000 and 1,000,000)
ORDER = ("ours", "official", "tap", "floor")
MUTATED = ("tickets", "users", "organizations", "groups", "macros", "ticket_fields")
# Each stream's truth on the emulator, and the fields that change when a record changes.
TRUTH = {"tickets": ("tickets", "generated_timestamp"), "users": ("users", "updated_at"),
         "organizations": ("organizations", "updated_at"), "groups": ("groups", "updated_at"),
         "group_memberships": ("group_memberships", "updated_at"), "macros": ("macros", "updated_at"),
         "tags": ("tags", "count"), "ticket_fields": ("ticket_fields", "updated_at"),
         "ticket_metrics": ("ticket_metrics_all", "updated_at"), "ticket_audits": ("ticket_audits", "created_at")}


class Bench:
    def __init__(self, emu: EmulatorProcess, readers: dict[str, Reader], log: Callable[[str], None] = print):
        self.emu, self.readers, self.log = emu, readers, log
        self.scenarios: dict[str, Any] = {}
        self.full_state: dict[str, Any] = {}

    # -- one run -----------------------------------------------------------------------------------------------------
    def run(self, reader: Reader, label: str, state: Any = None) -> dict[str, Any]:
        self.emu.control("POST", "stats/reset")
        log_start = len(self.emu.stderr())
        self.log(f"  [{reader.name}] {label} ...")
        measured = reader.read(label, state)
        stats = self.emu.control("GET", "stats")
        requests = report.request_summary(stats, self.emu.stderr()[log_start:].splitlines())
        run = {**{k: v for k, v in vars(measured).items() if k != "state"}, "timeout": reader.timeout,
               "records_total": measured.total_records, "requests": requests}
        self.log(f"  [{reader.name}] {label}: {measured.total_records:,} records, {measured.wall_seconds:.1f} s wall, "
                 f"{measured.cpu_seconds:.1f} s CPU, {measured.peak_rss_mb:.0f} MB, {requests['served']} requests, "
                 f"{requests['429']} x 429" + (" (stopped: time limit)" if measured.timed_out else "")
                 + (f", exit {measured.exit_code}" if measured.exit_code and not measured.timed_out else ""))
        if measured.errors:
            self.log(f"  [{reader.name}] errors: {measured.errors}")
        return run | {"_state": measured.state}

    def truth(self) -> dict[str, list[dict]]:
        return {stream: self.emu.control("GET", f"truth/{resource}") for stream, (resource, _) in TRUTH.items()}

    # -- scenarios ---------------------------------------------------------------------------------------------------
    def full(self) -> None:
        truth = {stream: len(rows) for stream, rows in self.truth().items()}
        minimum = report.minimum_requests(truth)
        self.log(f"full sync; truth {truth}; minimum requests {sum(minimum.values())}")
        runs = {}
        for name, reader in self.readers.items():
            run = runs[name] = self.run(reader, "full")
            self.full_state[name] = run.pop("_state")
        self.scenarios["full"] = self._block("Full sync, plan unlimited", runs, truth, minimum)

    def incremental(self, percent: float) -> None:
        before = self.truth()
        for resource in MUTATED:
            count = max(1, round(len(before[resource]) * percent / 100))
            self.emu.control("POST", "mutate", json={"resource": resource, "update": count})
        self.emu.control("POST", "clock/advance", json={"seconds": 120})
        after = self.truth()
        changed = {stream: _changed(before[stream], after[stream], stream) for stream in TRUTH}
        counts = {stream: len(rows) for stream, rows in after.items()}
        minimum = report.minimum_requests(counts, changed)
        self.log(f"incremental after {percent}% updated; changed {changed}; minimum requests {sum(minimum.values())}")
        runs = {}
        for name, reader in self.readers.items():
            if name == "floor":
                continue
            runs[name] = self.run(reader, "incremental", self.full_state.get(name))
            runs[name].pop("_state")
        block = self._block(f"Incremental sync after {percent:g}% of records updated", runs, changed, minimum)
        block["notes"].insert(0, "truth column: records changed since the full sync (new or moved cursor value); "
                                 "the floor reader keeps no state and is not run")
        self.scenarios["incremental"] = block

    def rate_limited(self, time_scale: float) -> None:
        truth = {stream: len(rows) for stream, rows in self.truth().items()}
        minimum = report.minimum_requests(truth)
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
                self.log(f"  [{name}] limit floor {run['limit_floor_seconds']} s for {requests['exports_served']} "
                         f"export and {requests['served']} requests; wall/floor {run['wall_over_floor']}")
        finally:
            self.emu.control("PUT", "settings", json={"plan": "unlimited", "time_scale": 1})
        block = self._block(f"Full sync rate-limited: plan enterprise (700/min, exports 10/min), time scale "
                            f"{time_scale:g}", runs, truth, minimum)
        block["time_scale"] = time_scale
        block["notes"] += [
            "limit floor: max(served export requests / 10, served requests / 700) minutes, in real seconds at this "
            "time scale; every run starts at a fresh rate-limit minute with no other traffic, so every 429 was one "
            "that pacing could have avoided"]
        self.scenarios["rate_limited"] = block

    def _wait_for_fresh_minute(self) -> None:
        clock = self.emu.control("GET", "clock")
        time.sleep((60 - clock["now"] % 60) / clock["time_scale"] + 0.05)

    def _block(self, title: str, runs: dict[str, Any], truth: dict[str, int], minimum: dict[str, int]) -> dict:
        ours = runs.get("ours")
        for run in runs.values():
            run["vs_ours"] = _vs_ours(run, ours) if ours else {}
        return {"title": title, "truth": truth, "minimum": minimum, "minimum_total": sum(minimum.values()),
                "runs": runs, "notes": []}


def _changed(before: list[dict], after: list[dict], stream: str) -> int:
    resource, field = TRUTH[stream]
    key = "name" if stream == "tags" else "id"
    seen = {(row[key], row.get(field)) for row in before}
    return sum((row[key], row.get(field)) not in seen for row in after)


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


def default_time_scale(minimum: dict[str, int], seconds: float) -> float:
    """The time scale at which the limits let ours' minimum requests finish in about `seconds` real seconds."""
    exports = sum(minimum.get(s, 0) for s in ("tickets", "users", "organizations"))
    floor = report.rate_floor_seconds(exports, sum(minimum.values()), 1.0)
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


def _pin(emulator_pid: int) -> set[int] | None:
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
    parser.add_argument("--rate-seconds", type=float, help="default time scale: ours' minimum takes this long "
                        "under the limits (default 180; --quick 20)")
    parser.add_argument("--timeout", type=float, help="seconds per run before it is stopped (default 3600; "
                        "--quick 300)")
    parser.add_argument("--tap-timeout", type=float, help="the same for tap-zendesk, whose per-ticket audits are "
                        "self-throttled to 460 tickets a minute (default 600; --quick 120)")
    parser.add_argument("--out-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.tickets = args.tickets or (2000 if args.quick else 100_000)
    args.rate_seconds = args.rate_seconds or (20 if args.quick else 180)
    args.timeout = args.timeout or (300 if args.quick else 3600)
    args.tap_timeout = args.tap_timeout or (120 if args.quick else 600)
    args.readers = [r for r in args.readers.split(",") if r]
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = [r for r in args.readers if r not in READERS] + [
        s for s in args.scenarios if s not in ("full", "incremental", "rate_limited")]
    if unknown:
        parser.error(f"unknown readers or scenarios: {unknown}")
    if "incremental" in args.scenarios and "full" not in args.scenarios:
        parser.error("the incremental scenario starts from the full sync's state: add 'full'")
    return args


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
        os.sched_setaffinity(0, affinity)  # _pin moved this process: give a caller (a test session) its CPUs back
        shutil.rmtree(work, ignore_errors=True)
    command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    results = {"date": started.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "command": command.strip(),
               "seed": args.seed, "tickets": args.tickets, "counts": counts, "readers": args.readers,
               "streams": list(STREAMS), "scenarios": bench.scenarios}
    results["targets"] = report.targets(results, _other_sizes(args.out_dir, args.tickets))
    write(results, args.out_dir, log)
    return results


def _run(args: argparse.Namespace, work: Path, log: Callable[[str], None]) -> tuple[Bench, dict | None]:
    log(f"emulator: seed {args.seed}, {args.tickets:,} tickets; work files in {work}")
    with EmulatorProcess(seed=args.seed, tickets=args.tickets, plan="unlimited", verbose=True,
                         startup_timeout=1800) as emu:
        cpus = _pin(emu.process.pid)
        readers = {}
        for name in args.readers:
            timeout = args.tap_timeout if name == "tap" else args.timeout
            readers[name] = READERS[name](emu.info, work, timeout, cpus)
            readers[name].prepare()
        bench = Bench(emu, readers, log)
        if "full" in args.scenarios:
            bench.full()
        if "incremental" in args.scenarios:
            bench.incremental(args.change_percent)
        if "rate_limited" in args.scenarios:
            minimum = report.minimum_requests({s: len(r) for s, r in bench.truth().items()})
            bench.rate_limited(args.time_scale or default_time_scale(minimum, args.rate_seconds))
        return bench, emu.info.get("counts")


def _other_sizes(out_dir: Path, tickets: int) -> dict[int, float]:
    """Ours' peak RSS in the newest full sync of every other account size found in out_dir."""
    peaks: dict[int, tuple[str, float]] = {}
    for path in sorted(out_dir.glob("bench-*.json")):
        try:
            data = json.loads(path.read_text())
            peak = data["scenarios"]["full"]["runs"]["ours"]["peak_rss_mb"]
        except (ValueError, KeyError):
            continue
        if data.get("tickets") != tickets and min(data.get("tickets", 0), tickets) >= FLAT_FROM:
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

