"""Prove the real peer clients run unmodified against the emulator and read what the account holds.

    .venv/bin/python bench/peers_check.py --start --tickets 2000 --seed 1        # start an emulator, check, stop it
    .venv/bin/python bench/peers_check.py --info-file /tmp/emu.json              # use a running emulator

For each peer (Airbyte's official source-zendesk-support 4.9.1, singer's tap-zendesk 2.8.2): `check` (the tap's is
its discovery), then one full read of the ten streams, then records and distinct primary keys per stream against
the emulator's ground truth (`GET <control_url>/truth/<resource>`), with the emulator's request stats per phase.

A stream matches when the peer's ids equal the ids that peer is *expected* to deliver. Usually that is the whole
truth; where a peer reads by design something narrower or wider than the truth (archived tickets missing from
`/ticket_metrics`, the tap taking metrics from the ticket export...) the rule is in EXPECTATIONS with its reason,
so a difference is either explained by the peer's code or reported as a mismatch. Exit status 1 when a check fails,
a read exits non-zero, or a stream mismatches.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers as P  # noqa: E402  (bench/ is not a package)

STREAMS = ["tickets", "users", "organizations", "groups", "group_memberships", "macros", "tags", "ticket_fields",
           "ticket_metrics", "ticket_audits"]

Truth = dict[str, list[dict[str, Any]]]


# ---------------------------------------------------------------------------------------------------------------
# What each peer should read, given the truth


def _key(stream: str) -> str:
    return "name" if stream == "tags" else "id"


def _ids(records: list[dict[str, Any]], stream: str) -> set:
    return {r[_key(stream)] for r in records if r.get(_key(stream)) is not None}


@dataclass
class Facts:
    """What the truth rows do not say, gathered without trusting the peer under test where possible.

    deleted_groups: `GET groups?exclude_deleted=false` records with `deleted: true` (the harness's own request).
    listable_tickets: ticket ids of the `ticket_metrics` truth (tickets neither archived nor deleted).
    window_start: emulated now at the start of the read minus 60 s; exports hide records stamped after it.
    counts: the info file's counts (tickets_deleted, tickets_archived, ticket_audits cross-check the rest).
    """

    deleted_groups: set
    listable_tickets: set
    counts: dict[str, int]
    window_start: float = 0.0


def _deleted_tickets(output: P.Output) -> set:
    """Ticket ids the peer read with `status: "deleted"` (the export's way of listing deleted tickets)."""
    return {k for k, f in output.fields.get("tickets", {}).items() if f.get("status") == "deleted"}


def _all_groups_but_deleted(truth: Truth, output: P.Output, facts: Facts) -> set:
    return _ids(truth["groups"], "groups") - facts.deleted_groups


def _per_ticket_of_exported(stream: str) -> Callable[[Truth, P.Output, Facts], set]:
    """tap's sub-streams: the truth rows (tickets neither archived nor deleted) plus, for every archived ticket, the
    rows the tap read for it, and a placeholder for each archived ticket it read none for (so a gap shows)."""

    def expected(truth: Truth, output: P.Output, facts: Facts) -> set:
        archived = _ids(truth["tickets"], "tickets") - facts.listable_tickets - _deleted_tickets(output)
        read = output.fields.get(stream, {})
        of_archived = {k for k, f in read.items() if f.get("ticket_id") in archived}
        covered = {f.get("ticket_id") for f in read.values()}
        return (_ids(truth[stream], stream) | of_archived
                | {f"<no {stream} for archived ticket {t}>" for t in archived - covered})

    return expected


@dataclass
class Expectation:
    reason: str
    ids: Callable[[Truth, P.Output, Facts], set]


_NO_DELETED_GROUPS = Expectation(
    "deleted groups absent: the peer lists groups without exclude_deleted=false", _all_groups_but_deleted)

# (peer, stream) -> what that peer should deliver when it is not exactly the truth list.
EXPECTATIONS: dict[tuple[str, str], Expectation] = {
    ("official", "groups"): _NO_DELETED_GROUPS,  # manifest.yaml:472-479, GET groups?per_page=100
    ("tap", "groups"): _NO_DELETED_GROUPS,  # streams.py:564-580, GET groups?page[size]=100
    ("tap", "ticket_metrics"): Expectation(
        "tap takes metric_set sideloaded on the ticket export: also archived tickets' (not in /ticket_metrics)",
        _per_ticket_of_exported("ticket_metrics")),
    ("tap", "ticket_audits"): Expectation(
        "tap reads tickets/{id}/audits.json per non-deleted exported ticket: also archived tickets' audits",
        _per_ticket_of_exported("ticket_audits")),
}

# Rows of these streams come from an incremental export, which hides the last minute (truth.py says so).
_EXPORT_CURSOR = {"tickets": "generated_timestamp", "users": "updated_at", "organizations": "updated_at"}
# Fields kept from each record to evaluate the expectations above.
CAPTURE = {"tickets": ("status",), "ticket_metrics": ("ticket_id",), "ticket_audits": ("ticket_id",)}


def _epoch(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def gather_facts(info: dict[str, Any], truth: Truth) -> Facts:
    groups = P.api_get(info, "groups.json", {"exclude_deleted": "false", "per_page": 100})
    deleted_groups = {g["id"] for g in groups.get("groups", []) if g.get("deleted")}
    listable = {m["ticket_id"] for m in truth.get("ticket_metrics", [])}
    return Facts(deleted_groups, listable, dict(info.get("counts") or {}))


# ---------------------------------------------------------------------------------------------------------------
# One peer


@dataclass
class StreamResult:
    peer: str
    stream: str
    records: int
    distinct: int
    truth: int
    expected: int
    match: bool
    explanation: str
    missing: list = field(default_factory=list)  # a sample of expected ids not read
    extra: list = field(default_factory=list)  # a sample of ids read but not expected


@dataclass
class PeerResult:
    peer: str
    check_ok: bool = False
    check_detail: str = ""
    check_run: dict[str, Any] = field(default_factory=dict)
    read_run: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)  # phase -> emulator stats
    streams: list[StreamResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.check_ok and self.read_run.get("exit_code") == 0
                and bool(self.streams) and all(s.match for s in self.streams))


def _run_summary(run: P.Run) -> dict[str, Any]:
    return {"exit_code": run.exit_code, "seconds": run.seconds, "timed_out": run.timed_out,
            "stdout": str(run.stdout), "stderr": str(run.stderr)}


def _write(path: Path, payload: Any) -> Path:
    path.write_text(json.dumps(payload, indent=2))
    return path


def check_peer(peer: P.Peer, info: dict[str, Any], control: P.Control, truth: Truth, facts: Facts,
               streams: list[str], out_dir: Path, timeout: float, log=print) -> PeerResult:
    result = PeerResult(peer.name)
    env = P.peer_env(info, P.ca_bundle(peer, info["ca_file"], out_dir))
    if peer.protocol == "airbyte":
        config = _write(out_dir / f"{peer.name}-config.json", P.official_config(info))
    else:
        config = _write(out_dir / f"{peer.name}-config.json", P.tap_config(info))

    # check
    control.post("stats/reset")
    if peer.protocol == "airbyte":
        run = P.run_peer(peer, ["check", "--config", str(config)], env, out_dir, "check", timeout)
        output = P.parse_output(peer, run.stdout)
        result.check_ok = run.exit_code == 0 and output.status == "SUCCEEDED"
        result.check_detail = f"status {output.status}" + (f": {output.status_message}" if output.status_message else "")
        result.stats["check"] = control.get("stats")
        control.post("stats/reset")
        discovered_run = P.run_peer(peer, ["discover", "--config", str(config)], env, out_dir, "discover", timeout)
        discovered = P.parse_output(peer, discovered_run.stdout).catalog
        result.stats["discover"] = control.get("stats")
        if discovered_run.exit_code != 0:
            result.errors.append(f"discover exited {discovered_run.exit_code}: {discovered_run.stderr_tail(5)}")
    else:
        run = P.run_peer(peer, ["--config", str(config), "--discover"], env, out_dir, "discover", timeout)
        output = P.parse_output(peer, run.stdout)
        discovered = output.catalog
        names = sorted(s["tap_stream_id"] for s in (discovered or {}).get("streams", []))
        result.check_ok = run.exit_code == 0 and bool(names)
        result.check_detail = f"discovered {len(names)} streams" if names else "no catalog"
        if run.exit_code != 0:
            result.errors += P.singer_errors(run.stderr)[-3:]
    result.check_run = _run_summary(run)
    if peer.protocol == "singer":
        result.stats["check (discovery)"] = control.get("stats")
    if not result.check_ok:
        result.errors.append(f"check failed (exit {run.exit_code}): {result.check_detail}\n{run.stderr_tail()}")
    if not discovered:
        result.errors.append("no catalog discovered: cannot read")
        return result

    # read
    try:
        if peer.protocol == "airbyte":
            catalog = P.official_configured_catalog(discovered, streams)
        else:
            catalog = P.tap_selected_catalog(discovered, streams)
    except KeyError as error:
        result.errors.append(str(error))
        return result
    catalog_file = _write(out_dir / f"{peer.name}-catalog.json", catalog)
    keys = P.primary_keys(peer, catalog)
    control.post("stats/reset")
    facts.window_start = control.get("clock")["now"] - 60
    log(f"[{peer.name}] reading {len(streams)} streams ...")
    if peer.protocol == "airbyte":
        args = ["read", "--config", str(config), "--catalog", str(catalog_file)]
    else:
        args = ["--config", str(config), "--catalog", str(catalog_file)]
    run = P.run_peer(peer, args, env, out_dir, "read", timeout)
    result.read_run = _run_summary(run)
    result.stats["read"] = control.get("stats")
    output = P.parse_output(peer, run.stdout, keys, CAPTURE)
    result.read_run["states"] = output.states
    if run.exit_code != 0 or run.timed_out:
        errors = output.errors or P.singer_errors(run.stderr)
        result.errors.append(f"read exited {run.exit_code}{' (timed out)' if run.timed_out else ''}: "
                             + ("; ".join(e[:300] for e in errors[-3:]) or run.stderr_tail()))
    elif output.errors:
        result.errors += [f"trace error: {e[:300]}" for e in output.errors[-3:]]
    result.streams = [compare(peer.name, s, output, truth, facts) for s in streams]
    deleted = _deleted_tickets(output)
    if "tickets" in streams and len(deleted) != facts.counts.get("tickets_deleted", len(deleted)):
        result.errors.append(f"{len(deleted)} tickets read with status deleted, the info file counts "
                             f"{facts.counts['tickets_deleted']}")
    return result


def compare(peer: str, stream: str, output: P.Output, truth: Truth, facts: Facts) -> StreamResult:
    truth_ids = _ids(truth[stream], stream)
    read_ids = output.ids.get(stream, set())
    rule = EXPECTATIONS.get((peer, stream))
    expected = rule.ids(truth, output, facts) if rule else truth_ids
    missing, extra = expected - read_ids, read_ids - expected
    notes = []
    if missing and stream in _EXPORT_CURSOR:
        cursor = _EXPORT_CURSOR[stream]
        recent = {r["id"] for r in truth[stream] if r["id"] in missing and _epoch(r[cursor]) > facts.window_start}
        if recent:
            missing -= recent
            notes.append(f"{len(recent)} stamped within the export's hidden last minute at read time")
    if output.missing_key.get(stream):
        notes.append(f"{output.missing_key[stream]} records without a primary key")
    match = not missing and not extra and not output.missing_key.get(stream)
    if rule and expected != truth_ids and match:
        notes.insert(0, rule.reason)
    if not match:
        notes.insert(0, f"MISMATCH: {len(missing)} expected ids not read, {len(extra)} read ids not expected"
                     + (f" (expected: {rule.reason})" if rule else ""))
    repeated = output.records.get(stream, 0) - len(read_ids) - output.missing_key.get(stream, 0)
    if repeated:
        notes.append(f"{repeated} repeated records" + (
            " (time-based export: the boundary second comes again on the next page)" if stream == "organizations"
            else ""))
    return StreamResult(peer, stream, output.records.get(stream, 0), len(read_ids), len(truth_ids), len(expected),
                        match, "; ".join(notes), sorted(missing, key=str)[:10], sorted(extra, key=str)[:10])


# ---------------------------------------------------------------------------------------------------------------
# Report


def _stats_line(stats: dict[str, Any]) -> str:
    by_status = ", ".join(f"{k}: {v}" for k, v in sorted(stats.get("by_status", {}).items()))
    faults = stats.get("by_fault") or {}
    return (f"{stats.get('requests_total', 0)} requests ({by_status})"
            + (f", faults {faults}" if faults else ""))


def _by_route(stats: dict[str, Any]) -> dict[str, int]:
    """Requests per endpoint with ids folded (`tickets/17/audits.json` -> `tickets/{id}/audits.json`), query dropped."""
    routes: dict[str, int] = {}
    for endpoint, count in stats.get("by_endpoint", {}).items():
        route = re.sub(r"/\d+(?=/|\.json|$)", "/{id}", endpoint.split("?")[0])
        routes[route] = routes.get(route, 0) + count
    return routes


def report(results: list[PeerResult], installs: list[P.Install], write=print) -> None:
    write("")
    write("installs: " + "; ".join(f"{i.peer}: {'reused, built in' if i.reused else 'built in'} {i.seconds}s "
                                   f"(Python {i.python})" for i in installs))
    header = ("peer", "stream", "records", "distinct ids", "truth", "expected", "match", "explanation")
    rows = [(s.peer, s.stream, str(s.records), str(s.distinct), str(s.truth), str(s.expected),
             "yes" if s.match else "NO", s.explanation) for r in results for s in r.streams]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    write("")
    write(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)))
    write("-+-".join("-" * w for w in widths))
    for row in rows:
        write(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)))
    for r in results:
        write("")
        write(f"{r.peer}: check {'ok' if r.check_ok else 'FAILED'} ({r.check_detail}; exit "
              f"{r.check_run.get('exit_code')}, {r.check_run.get('seconds')}s) | read exit {r.read_run.get('exit_code')}"
              f", {r.read_run.get('seconds')}s wall, {r.read_run.get('states', 0)} state messages")
        for phase, stats in r.stats.items():
            write(f"  emulator stats, {phase}: {_stats_line(stats)}")
            for endpoint, count in sorted(_by_route(stats).items(), key=lambda kv: (-kv[1], kv[0])):
                write(f"      {count:6d}  {endpoint}")
        for s in r.streams:
            if not s.match:
                write(f"  {s.stream}: missing e.g. {s.missing} | unexpected e.g. {s.extra}")
        for error in r.errors:
            write(f"  error: {error}")


# ---------------------------------------------------------------------------------------------------------------


def fetch_truth(control: P.Control, streams: list[str]) -> Truth:
    needed = dict.fromkeys([*streams, "tickets", "groups", "ticket_metrics"])
    return {s: control.get(f"truth/{s}") for s in needed}


def run(info: dict[str, Any], peer_names: list[str], streams: list[str], out_dir: Path, timeout: float,
        settings: dict[str, Any] | None = None, log=print) -> tuple[list[PeerResult], list[P.Install]]:
    installs = [P.ensure_venv(P.PEERS[name], log) for name in peer_names]
    control = P.Control(info["control_url"])
    truth = fetch_truth(control, streams)
    facts = gather_facts(info, truth)
    log("truth: " + ", ".join(f"{s} {len(truth[s])}" for s in streams)
        + f"; deleted groups {sorted(facts.deleted_groups)}; counts {facts.counts}")
    if settings:  # after the harness's own look-ups, so faults and limits only meet the peers
        applied = control.put("settings", settings)
        log("emulator settings: " + json.dumps({k: applied.get(k) for k in settings}))
    results = []
    for name in peer_names:
        started = time.monotonic()
        log(f"[{name}] check ...")
        result = check_peer(P.PEERS[name], info, control, truth, facts, streams, out_dir, timeout, log)
        log(f"[{name}] done in {time.monotonic() - started:.1f}s: {'ok' if result.ok else 'NOT ok'}")
        results.append(result)
    return results, installs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--info-file", type=Path, help="info file of a running emulator (python -m zendesk_emulator "
                        "--info-file F)")
    source.add_argument("--start", action="store_true", help="start an emulator for this check and stop it after")
    parser.add_argument("--tickets", type=int, default=2000, help="with --start: account size (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="with --start: data seed (default 1)")
    parser.add_argument("--plan", default=None, help="with --start: the emulator's plan (default: the emulator's)")
    parser.add_argument("--settings", type=json.loads, help="PUT these emulator settings first, e.g. "
                        "'{\"plan\": \"team\"}' or '{\"fault_rate\": 0.02}'")
    parser.add_argument("--peers", default="official,tap", help="comma-separated: official,tap (default both)")
    parser.add_argument("--streams", default=",".join(STREAMS), help="comma-separated streams (default the ten)")
    parser.add_argument("--out-dir", type=Path, help="keep configs, catalogs and peer output here (default: a "
                        "temporary directory, printed)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per peer command (default 1800)")
    args = parser.parse_args(argv)

    peer_names = [p for p in args.peers.split(",") if p]
    unknown = [p for p in peer_names if p not in P.PEERS]
    if unknown:
        parser.error(f"unknown peers {unknown}; known: {sorted(P.PEERS)}")
    streams = [s for s in args.streams.split(",") if s]
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="peers-check-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"peer output in {out_dir}")

    emulator = None
    if args.start:
        sys.path.insert(0, str(P.BENCH_DIR.parent))  # the repository root, when run as bench/peers_check.py
        from zendesk_emulator.testing import EmulatorProcess

        options = {"tickets": args.tickets, "seed": args.seed}
        if args.plan:
            options["plan"] = args.plan
        emulator = EmulatorProcess(**options).start()
        info = emulator.info
        print(f"emulator started: {info['proxy_url']} seed {args.seed}, counts {info.get('counts')}")
    else:
        info = P.load_info(args.info_file)
    try:
        results, installs = run(info, peer_names, streams, out_dir, args.timeout, args.settings)
    finally:
        if emulator is not None:
            emulator.stop()
    report(results, installs)
    if args.json:
        payload = {"info": {k: info.get(k) for k in ("seed", "counts", "subdomain")},
                   "installs": [vars(i) for i in installs],
                   "results": [{**{k: v for k, v in vars(r).items() if k != "streams"},
                                "streams": [vars(s) for s in r.streams], "ok": r.ok} for r in results]}
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0 if results and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
