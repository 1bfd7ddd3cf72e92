"""Prove the real peer clients run unmodified against the emulator and read what the account holds.

    .venv/bin/python bench/peers_check.py --start --tickets 2000 --seed 1        # start an emulator, check, stop it
    .venv/bin/python bench/peers_check.py --info-file /tmp/emu.json              # use a running emulator

For each peer (Airbyte's official source-zendesk-support 4.9.1, singer's tap-zendesk 2.8.2, and `official-enterprise`,
the official connector with its broken enterprise probe answered, see peers.py): `check` (the tap's is its
discovery), then one full read of every stream the peer's discovered catalog shares with ours (scripts/airbyte_run.py
STREAMS) and every Help Center / community stream it offers (the emulator serves them whether or not ours has them
yet), then records, distinct keys and the truth's fields per stream against the emulator's ground truth
(`GET <control_url>/truth/<resource>`), with the emulator's request stats per phase. The peer's other streams are
listed as skipped with the reason. `--streams` picks some, e.g. the twelve Guide streams alone (a few minutes).

A stream matches when the peer's ids equal the ids that peer is *expected* to deliver and every field the truth
carries has the truth's value. The rule for each stream, usually the whole truth, sometimes a narrower or wider set
the peer's code chooses, is in bench/peer_rules.py with the line of the peer's code that decides it. Exit status 1
when a check fails, a read exits non-zero, or a stream mismatches.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))  # the repository root, when run as bench/peers_check.py
import peer_rules as R  # noqa: E402  (bench/ is not a package)
import peers as P  # noqa: E402

from scripts.airbyte_run import STREAMS as OURS  # noqa: E402
from scripts.airbyte_run import key_of as _our_key_of  # noqa: E402
from scripts.airbyte_run import key_value as _our_key_value  # noqa: E402


def key_of(stream: str) -> str | tuple[str, ...]:
    """Our catalog's key, or `id` for a Guide stream our connector does not have (yet)."""
    return _our_key_of(stream) if stream in OURS else "id"


def key_value(row: dict, stream: str) -> Any:
    return _our_key_value(row, stream) if stream in OURS else row.get("id")

# Truth fields that describe a row for the harness rather than a field of the record (tickets' `archived` flag).
_NOT_RECORD_FIELDS = frozenset({"archived"})


class Truth(dict):
    """The emulator's truth rows per resource, fetched on first use and kept: the account does not change during a
    check, and some truths (every ticket event's children) cost seconds on a large account."""

    def __init__(self, control: P.Control):
        super().__init__()
        self._control = control

    def __missing__(self, resource: str) -> list[dict[str, Any]]:
        rows = self._control.get(f"truth/{resource}")
        self[resource] = rows
        return rows


def _epoch(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    if text.isdigit():
        return float(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def gather_facts(info: dict[str, Any]) -> R.Facts:
    groups = P.api_get(info, "groups.json", {"exclude_deleted": "false", "per_page": 100})
    deleted_groups = {g["id"] for g in groups.get("groups", []) if g.get("deleted")}
    return R.Facts(deleted_groups, dict(info.get("counts") or {}), key_value)


def _record_fields(truth: Truth, stream: str) -> tuple[str, ...]:
    """The truth's fields a record of `stream` carries too, besides its key."""
    rows = truth[stream]
    if stream in R.HELP_CENTER:  # whole records: compare the cursor, parent ids and counts
        return tuple(f for f in R.GUIDE_FIELDS if rows and f in rows[0])
    return tuple(f for f in (rows[0] if rows else {}) if f not in _NOT_RECORD_FIELDS)


def _catalog_names(peer: P.Peer, catalog: dict[str, Any] | None) -> list[str]:
    streams = (catalog or {}).get("streams", [])
    return [s["name"] if peer.protocol == "airbyte" else s["tap_stream_id"] for s in streams]


def shared_streams(peer: P.Peer, offered: list[str], complemented: list[str] | None,
                   wanted: list[str] | None, also: frozenset[str] = frozenset()) -> tuple[list[str], dict[str, str]]:
    """The streams to read (the peer's catalog ∩ (ours ∪ `also`), in its catalog's order) and every other one with
    why not."""
    skipped: dict[str, str] = {}
    streams = []
    for name in offered:
        if name not in OURS and name not in also:
            skipped[name] = R.not_ours_reason(name)
        elif complemented is not None and name in complemented:
            skipped[name] = f"read by {peer.complements}"
        elif wanted is not None and name not in wanted:
            skipped[name] = "not asked for (--streams)"
        else:
            streams.append(name)
    for name in OURS:
        if name not in offered and (wanted is None or name in wanted):
            skipped[name] = f"ours, not in {peer.name}'s discovered catalog"
    return streams, skipped


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
    wrong_values: dict = field(default_factory=dict)  # field -> (count, a sample of (key, truth, read))


@dataclass
class PeerResult:
    peer: str
    check_ok: bool = False
    check_detail: str = ""
    check_run: dict[str, Any] = field(default_factory=dict)
    read_run: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)  # phase -> emulator stats
    streams: list[StreamResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # stream -> why it was not read
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.check_ok and self.read_run.get("exit_code") == 0 and not self.errors
                and bool(self.streams) and all(s.match for s in self.streams))


def _run_summary(run: P.Run) -> dict[str, Any]:
    return {"exit_code": run.exit_code, "seconds": run.seconds, "timed_out": run.timed_out,
            "stdout": str(run.stdout), "stderr": str(run.stderr)}


def _write(path: Path, payload: Any) -> Path:
    path.write_text(json.dumps(payload, indent=2))
    return path


def _discover(peer: P.Peer, config: Path, env: dict[str, str], out_dir: Path, timeout: float) -> tuple[P.Run, Any]:
    if peer.protocol == "airbyte":
        run = P.run_peer(peer, ["discover", "--config", str(config)], env, out_dir, "discover", timeout)
    else:
        run = P.run_peer(peer, ["--config", str(config), "--discover"], env, out_dir, "discover", timeout)
    return run, P.parse_output(peer, run.stdout).catalog


def check_peer(peer: P.Peer, info: dict[str, Any], control: P.Control, truth: Truth, facts: R.Facts,
               wanted: list[str] | None, out_dir: Path, timeout: float, log=print) -> PeerResult:
    result = PeerResult(peer.name)
    env = P.peer_env(info, P.ca_bundle(peer, info["ca_file"], out_dir))
    config_payload = P.official_config(info) if peer.protocol == "airbyte" else P.tap_config(info)
    config = _write(out_dir / f"{peer.name}-config.json", config_payload)

    # check (the tap's check is its discovery: an access request per stream)
    control.post("stats/reset")
    if peer.protocol == "airbyte":
        run = P.run_peer(peer, ["check", "--config", str(config)], env, out_dir, "check", timeout)
        output = P.parse_output(peer, run.stdout)
        result.check_ok = run.exit_code == 0 and output.status == "SUCCEEDED"
        result.check_detail = f"status {output.status}" + (f": {output.status_message}" if output.status_message else "")
        result.stats["check"] = control.get("stats")
        control.post("stats/reset")
        discovered_run, discovered = _discover(peer, config, env, out_dir, timeout)
        result.stats["discover"] = control.get("stats")
        if discovered_run.exit_code != 0:
            result.errors.append(f"discover exited {discovered_run.exit_code}: {discovered_run.stderr_tail(5)}")
    else:
        run, discovered = _discover(peer, config, env, out_dir, timeout)
        names = _catalog_names(peer, discovered)
        result.check_ok = run.exit_code == 0 and bool(names)
        result.check_detail = f"discovered {len(names)} streams" if names else "no catalog"
        if run.exit_code != 0:
            result.errors += P.singer_errors(run.stderr)[-3:]
        result.stats["check (discovery)"] = control.get("stats")
    result.check_run = _run_summary(run)
    if not result.check_ok:
        result.errors.append(f"check failed (exit {run.exit_code}): {result.check_detail}\n{run.stderr_tail()}")
    if not discovered:
        result.errors.append("no catalog discovered: cannot read")
        return result

    complemented = None
    if peer.complements:
        other = P.PEERS[peer.complements]
        _, other_catalog = _discover(other, config, P.peer_env(info, P.ca_bundle(other, info["ca_file"], out_dir)),
                                     out_dir, timeout)
        complemented = _catalog_names(other, other_catalog)
    streams, result.skipped = shared_streams(peer, _catalog_names(peer, discovered), complemented, wanted,
                                             also=R.HELP_CENTER)
    if not streams:
        result.errors.append("no stream to read")
        return result

    # read
    if peer.protocol == "airbyte":
        catalog = P.official_configured_catalog(discovered, streams)
    else:
        catalog = P.tap_selected_catalog(discovered, streams)
    catalog_file = _write(out_dir / f"{peer.name}-catalog.json", catalog)
    keys = {s: list(k) if isinstance(k, tuple) else [k] for s in streams for k in [key_of(s)]}
    capture = {s: _record_fields(truth, s) for s in streams}
    _prefetch(truth, peer.name, streams, facts)
    control.post("stats/reset")
    facts.window_start = control.get("clock")["now"] - 60
    log(f"[{peer.name}] reading {len(streams)} streams: {', '.join(streams)} ...")
    if peer.protocol == "airbyte":
        args = ["read", "--config", str(config), "--catalog", str(catalog_file)]
    else:
        args = ["--config", str(config), "--catalog", str(catalog_file)]
    run = P.run_peer(peer, args, env, out_dir, "read", timeout)
    result.read_run = _run_summary(run)
    result.stats["read"] = control.get("stats")
    output = P.parse_output(peer, run.stdout, keys, capture)
    result.read_run["states"] = output.states
    if run.exit_code != 0 or run.timed_out:
        errors = output.errors or P.singer_errors(run.stderr)
        result.errors.append(f"read exited {run.exit_code}{' (timed out)' if run.timed_out else ''}: "
                             + ("; ".join(e[:300] for e in errors[-3:]) or run.stderr_tail()))
    elif output.errors:
        result.errors += [f"trace error: {e[:300]}" for e in output.errors[-3:]]
    result.streams = [compare(peer.name, s, output, truth, facts) for s in streams]
    deleted = {k for k, f in output.fields.get("tickets", {}).items() if f.get("status") == "deleted"}
    if "tickets" in streams and len(deleted) != facts.counts.get("tickets_deleted", len(deleted)):
        result.errors.append(f"{len(deleted)} tickets read with status deleted, the info file counts "
                             f"{facts.counts['tickets_deleted']}")
    return result


def _prefetch(truth: Truth, peer: str, streams: list[str], facts: R.Facts) -> None:
    """Fetch every truth the comparison will read before the peer reads, so the account is seen as it was then."""
    for stream in streams:
        rule = R.rule_for(peer, stream)
        if rule is not None:
            rule.ids(stream, truth, facts)
        truth[stream]  # noqa: B018


def compare(peer: str, stream: str, output: P.Output, truth: Truth, facts: R.Facts) -> StreamResult:
    truth_ids = facts.ids(truth[stream], stream)
    read_ids = output.ids.get(stream, set())
    rule = R.rule_for(peer, stream)
    expected = rule.ids(stream, truth, facts) if rule else truth_ids
    missing, extra = expected - read_ids, read_ids - expected
    notes = [rule.reason if rule else "NO RULE written for this stream: compared with the whole truth"]
    if missing and rule and rule.export_cursor:
        cursor = rule.export_cursor
        recent = {key_value(r, stream) for r in truth[stream]
                  if key_value(r, stream) in missing and _epoch(r[cursor]) > facts.window_start}
        if recent:
            missing -= recent
            notes.append(f"{len(recent)} stamped within the export's hidden last minute at read time")
    wrong = _wrong_values(stream, output, truth)
    if output.missing_key.get(stream):
        notes.append(f"{output.missing_key[stream]} records without a key")
    match = not missing and not extra and not wrong and not output.missing_key.get(stream)
    if not match:
        notes.insert(0, f"MISMATCH: {len(missing)} expected ids not read, {len(extra)} read ids not expected"
                     + (f", wrong values of {sorted(wrong)}" if wrong else ""))
    repeated = output.records.get(stream, 0) - len(read_ids) - output.missing_key.get(stream, 0)
    if repeated:
        notes.append(f"{repeated} repeated records" + (f" ({rule.repeats})" if rule and rule.repeats else ""))
        if not (rule and rule.repeats):
            match = False
    return StreamResult(peer, stream, output.records.get(stream, 0), len(read_ids), len(truth_ids), len(expected),
                        match, "; ".join(notes), sorted(missing, key=str)[:10], sorted(extra, key=str)[:10], wrong)


def _wrong_values(stream: str, output: P.Output, truth: Truth) -> dict[str, tuple[int, list]]:
    """Field -> how many records the peer read with another value than the truth's (cursor fields, parent ids), with
    a sample. Instants compare as instants: a unix string and an ISO string of the same second are equal."""
    read = output.fields.get(stream, {})
    wrong: dict[str, list] = {}
    for row in truth[stream]:
        got = read.get(key_value(row, stream))
        if got is None:
            continue
        for name, value in got.items():
            if name in row and not _same(row[name], value):
                wrong.setdefault(name, []).append((key_value(row, stream), row[name], value))
    return {name: (len(rows), rows[:3]) for name, rows in wrong.items()}


def _same(truth_value: Any, read_value: Any) -> bool:
    if truth_value == read_value:
        return True
    try:
        return _epoch(truth_value) == _epoch(read_value)
    except (TypeError, ValueError):
        return False


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
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header[:-1])]
    write("")
    write(" | ".join(h.ljust(w) for h, w in zip(header, [*widths, 0], strict=True)))
    write("-+-".join("-" * w for w in [*widths, 11]))
    for row in rows:
        write(" | ".join(c.ljust(w) for c, w in zip(row, [*widths, 0], strict=True)))
    for r in results:
        write("")
        write(f"{r.peer}: check {'ok' if r.check_ok else 'FAILED'} ({r.check_detail}; exit "
              f"{r.check_run.get('exit_code')}, {r.check_run.get('seconds')}s) | read exit {r.read_run.get('exit_code')}"
              f", {r.read_run.get('seconds')}s wall, {r.read_run.get('states', 0)} state messages")
        by_reason: dict[str, list[str]] = {}
        for stream, reason in r.skipped.items():
            by_reason.setdefault(reason, []).append(stream)
        for reason, streams in by_reason.items():
            write(f"  skipped ({reason}): {', '.join(streams)}")
        for phase, stats in r.stats.items():
            write(f"  emulator stats, {phase}: {_stats_line(stats)}")
            for endpoint, count in sorted(_by_route(stats).items(), key=lambda kv: (-kv[1], kv[0])):
                write(f"      {count:6d}  {endpoint}")
        for s in r.streams:
            if not s.match:
                write(f"  {s.stream}: missing e.g. {s.missing} | unexpected e.g. {s.extra} | wrong values {s.wrong_values}")
        for error in r.errors:
            write(f"  error: {error}")


# ---------------------------------------------------------------------------------------------------------------


def run(info: dict[str, Any], peer_names: list[str], wanted: list[str] | None, out_dir: Path, timeout: float,
        settings: dict[str, Any] | None = None, log=print) -> tuple[list[PeerResult], list[P.Install]]:
    installs = [P.ensure_venv(P.PEERS[name], log) for name in peer_names]
    control = P.Control(info["control_url"])
    truth = Truth(control)
    facts = gather_facts(info)
    log(f"deleted groups {sorted(facts.deleted_groups)}; counts {facts.counts}")
    if settings:  # after the harness's own look-ups, so faults and limits only meet the peers
        applied = control.put("settings", settings)
        log("emulator settings: " + json.dumps({k: applied.get(k) for k in settings}))
    results = []
    for name in peer_names:
        started = time.monotonic()
        log(f"[{name}] check ...")
        result = check_peer(P.PEERS[name], info, control, truth, facts, wanted, out_dir, timeout, log)
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
    parser.add_argument("--plan", default=None, help="with --start: the emulator's plan (default: the emulator's); "
                        "`unlimited` lifts the 10 exports a minute that make the official connector's metric event "
                        "export (100 a page) take ~20 minutes on 2,000 tickets")
    parser.add_argument("--settings", type=json.loads, help="PUT these emulator settings first, e.g. "
                        "'{\"plan\": \"team\"}' or '{\"fault_rate\": 0.02}'")
    parser.add_argument("--peers", default="official,official-enterprise,tap",
                        help=f"comma-separated, of {', '.join(P.PEERS)} (default all)")
    parser.add_argument("--streams", default="", help="comma-separated: only these (default: every stream each "
                        "peer's catalog shares with ours)")
    parser.add_argument("--out-dir", type=Path, help="keep configs, catalogs and peer output here (default: a "
                        "temporary directory, printed)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per peer command (default 3600)")
    args = parser.parse_args(argv)

    peer_names = [p for p in args.peers.split(",") if p]
    unknown = [p for p in peer_names if p not in P.PEERS]
    if unknown:
        parser.error(f"unknown peers {unknown}; known: {sorted(P.PEERS)}")
    wanted = [s for s in args.streams.split(",") if s] or None
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="peers-check-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"peer output in {out_dir}")

    emulator = None
    if args.start:
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
        results, installs = run(info, peer_names, wanted, out_dir, args.timeout, args.settings)
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
