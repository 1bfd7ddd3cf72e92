"""Switching from Airbyte's official connector loses nothing: our connector continues from the official one's state.

    .venv/bin/python bench/switch_check.py [--tickets 2000] [--seed 3] [--save-state integration_tests/official_connector_state.json]

1. The official connector (airbyte-source-zendesk-support 4.9.1, its own venv, see peers.py) syncs the emulated
   account: every stream its catalog shares with ours, incrementally where it can, and leaves its state. The three
   streams 4.9.1 never offers (its enterprise probe fails, see peers.py) are synced by the same installed connector
   with that probe answered (`official-enterprise`), so their state has the official shape too.
2. A few tickets change and the official connector syncs again from its own state: the state a connection that
   has run it for a while holds (ticket_metrics' becomes per ticket, with its parent's state, after this sync).
3. Every resource the emulator can change changes (creates, updates, deletes), and the exports' last minute passes.
4. Our connector runs an incremental sync of every stream from each of the two official states, exactly as Airbyte
   would hand it over after the connector is swapped on a connection.

It prints, per stream and official state, what changed since that state and whether our sync delivered every
change, and how many records it re-sent that had not changed. Exit status 1 if a change is missing or our connector
fails on an official state. `--save-state` writes both official states, for the test that feeds them to our
connector in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers as P  # noqa: E402
import peers_check  # noqa: E402

from scripts.airbyte_run import STREAMS, configured_catalog, key_value, run_source, truth_resource  # noqa: E402
from zendesk_emulator.resources.declaration import ChangedThrough  # noqa: E402
from zendesk_emulator.resources.registry import BY_NAME as EMULATED  # noqa: E402
from zendesk_emulator.testing import EmulatorError, EmulatorProcess  # noqa: E402

# How much of each resource changes; every other resource the emulator can change gets DEFAULT_CHANGE.
CHANGES = {
    "tickets": {"create": 20, "update": 30, "delete": 2},
    "users": {"create": 5, "update": 10, "delete": 1},
    "organizations": {"create": 3, "update": 5, "delete": 1},
}
DEFAULT_CHANGE = {"create": 1, "update": 2, "delete": 1}


class Official:
    """The official connector, and the official-enterprise variant for the streams 4.9.1 leaves out of its catalog."""

    def __init__(self, info: dict[str, Any], tmp: Path, log=print):
        self.info, self.log = info, log
        self.runs: list[tuple[P.Peer, dict[str, str], dict]] = []  # peer, env, configured catalog
        self.modes: dict[str, str] = {}
        offered: dict[str, list[str]] = {}
        for name in ("official", "official-enterprise"):
            peer = P.PEERS[name]
            P.ensure_venv(peer, log)
            env = P.peer_env(info, P.ca_bundle(peer, info["ca_file"], tmp))
            discovered = run_source(peer.command, "discover", config=info["config"], env=env)
            catalog = next(m["catalog"] for m in discovered.other if m.get("type") == "CATALOG")
            offered[name] = [s["name"] for s in catalog["streams"]]
            streams, _ = peers_check.shared_streams(peer, offered[name], offered.get(peer.complements or ""), None)
            configured = P.official_configured_catalog(catalog, streams)
            self.modes.update({c["stream"]["name"]: c["sync_mode"] for c in configured["streams"]})
            self.runs.append((peer, env, configured))

    def sync(self, state: list[dict] | None = None) -> list[dict]:
        """One sync of every stream (from `state` when given); the state it leaves."""
        states: list[dict] = []
        for peer, env, configured in self.runs:
            mine = {c["stream"]["name"] for c in configured["streams"]}
            given = [s for s in state or [] if s["stream"]["stream_descriptor"]["name"] in mine]
            result = run_source(peer.command, "read", config=self.info["config"], catalog=configured, env=env,
                                state=given if state is not None else None, keep_records=False)
            if result.exit_code != 0 or result.errors():
                raise RuntimeError(f"{peer.name} failed (exit {result.exit_code}): {result.errors()} "
                                   f"{result.stderr[-3000:]}")
            self.log(f"{peer.name}: {'incremental' if state else 'full'} sync, {sum(result.counts().values())} "
                     f"records in {len(mine)} streams, {result.wall_seconds:.0f}s")
            states += result.latest_state()
        return states


def change_everything(emu: EmulatorProcess) -> dict[str, list[str]]:
    """Create, update and delete records of every resource the emulator can change, as far as Zendesk allows for
    each (some are append-only, some read-only: they change through other resources). Resource -> kinds made."""
    made: dict[str, list[str]] = {}
    for stream in STREAMS:
        if isinstance(EMULATED[stream].mutate, ChangedThrough):
            continue  # its declaration names the resource whose mutation changes it (ticket_events: tickets)
        change = CHANGES.get(stream, DEFAULT_CHANGE)
        for kinds in (("create", "update", "delete"), ("create", "update"), ("update",), ("create",)):
            try:
                emu.control("POST", "mutate", json={"resource": stream, **{k: change[k] for k in kinds}})
            except EmulatorError:
                continue
            made[stream] = list(kinds)
            break
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--save-state", type=Path)
    args = parser.parse_args(argv)

    ours = [sys.executable, str(ROOT / "main.py")]
    with EmulatorProcess(seed=args.seed, tickets=args.tickets, plan="unlimited") as emu, \
            tempfile.TemporaryDirectory() as tmp:
        info = emu.info
        official = Official(info, Path(tmp))
        captured, truths = {}, {}
        captured["after_full_sync"] = official.sync()
        truths["after_full_sync"] = _truth(emu)
        emu.control("POST", "mutate", json={"resource": "tickets", "create": 3, "update": 5})
        emu.control("POST", "clock/advance", json={"seconds": 120})
        captured["after_incremental_sync"] = official.sync(captured["after_full_sync"])
        truths["after_incremental_sync"] = _truth(emu)
        if args.save_state:
            args.save_state.write_text(json.dumps(captured, indent=2) + "\n")
            print(f"saved both official states to {args.save_state}")

        made = change_everything(emu)
        print("changed: " + ", ".join(f"{r} ({'/'.join(k)})" for r, k in made.items()))
        emu.control("POST", "clock/advance", json={"seconds": 120})
        truth_after = _truth(emu)

        our_env = {**os.environ, **emu.client_env()}
        discovered = run_source(ours, "discover", config=info["config"], env=our_env)
        our_catalog = configured_catalog(next(m["catalog"] for m in discovered.other if m.get("type") == "CATALOG"),
                                         STREAMS)
        ok = True
        for label, state in captured.items():
            after = run_source(ours, "read", config=info["config"], catalog=our_catalog, state=state, env=our_env)
            ok &= _report(label, state, official.modes, truths[label], truth_after, after)
    return 0 if ok else 1


def _truth(emu: EmulatorProcess) -> dict[str, dict]:
    return {s: _projection(emu.control("GET", f"truth/{truth_resource(s)}"), s) for s in STREAMS}


def _report(label: str, official_state: list[dict], modes: dict[str, str], before: dict[str, dict],
            after_truth: dict[str, dict], after) -> bool:
    print(f"\nour connector, incremental from the official state {label.replace('_', ' ')}: exit {after.exit_code}, "
          f"{sum(after.counts().values())} records, {after.wall_seconds:.1f}s")
    for error in after.errors():
        print("  error:", error.get("message"))
    ok = after.exit_code == 0 and not after.errors()
    positioned = {s["stream"]["stream_descriptor"]["name"] for s in official_state
                  if any(not isinstance(v, bool) for v in s["stream"]["stream_state"].values())}
    print(f"{'stream':<26} {'official state':<16} {'changed':>7} {'delivered':>9} {'every change':>12} "
          f"{'unchanged re-sent':>17}")
    for stream in STREAMS:
        changed = {k for k, v in after_truth[stream].items() if before[stream].get(k) != v}
        emitted = {key_value(r, stream) for r in after.records.get(stream, [])}
        complete = changed <= emitted
        ok &= complete
        state = ("position" if stream in positioned else
                 "full refresh" if modes.get(stream) == "full_refresh" else "none (not read)")
        print(f"{stream:<26} {state:<16} {len(changed):>7} {len(after.records.get(stream, [])):>9} "
              f"{'yes' if complete else 'NO':>12} {len(emitted - changed):>17}")
    return ok


def _projection(rows: list[dict], stream: str) -> dict:
    return {key_value(row, stream): json.dumps(row, sort_keys=True) for row in rows}


if __name__ == "__main__":
    sys.exit(main())
