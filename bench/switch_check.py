"""Switching from Airbyte's official connector loses nothing: our connector continues from the official one's state.

    .venv/bin/python bench/switch_check.py [--tickets 2000] [--seed 3] [--save-state integration_tests/official_connector_state.json]

1. The official connector (airbyte-source-zendesk-support 4.9.1, its own venv, see peers.py) syncs the emulated
   account in full, incrementally where it can, and leaves its final state.
2. The account changes (creates, updates, deletes), and the export's last-minute window passes.
3. Our connector runs an incremental sync with the official connector's state, exactly as Airbyte would hand it
   over after the connector is swapped on a connection.

It prints, per stream, what changed and whether our sync delivered every change, and how many records it re-sent
that had not changed. Exit status 1 if a change is missing or our connector fails on the official state.
`--save-state` writes the official connector's state, for the test that feeds it to our connector in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers as P  # noqa: E402

from scripts.airbyte_run import STREAMS, configured_catalog, key_of, run_source, truth_resource  # noqa: E402
from zendesk_emulator.testing import EmulatorProcess  # noqa: E402

CHANGES = {
    "tickets": {"create": 20, "update": 30, "delete": 2},
    "users": {"create": 5, "update": 10, "delete": 1},
    "organizations": {"create": 3, "update": 5},
    "groups": {"create": 1, "update": 1},
    "macros": {"create": 1, "update": 2},
    "ticket_fields": {"create": 1, "update": 1},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--save-state", type=Path)
    args = parser.parse_args(argv)

    official = P.PEERS["official"]
    P.ensure_venv(official)
    ours = [sys.executable, str(ROOT / "main.py")]
    with EmulatorProcess(seed=args.seed, tickets=args.tickets, plan="unlimited") as emu, tempfile.TemporaryDirectory() as tmp:
        info = emu.info
        official_env = P.peer_env(info, P.ca_bundle(official, info["ca_file"], Path(tmp)))
        config = P.official_config(info)
        discovered = run_source([str(official.bin)], "discover", config=config, env=official_env)
        catalog = next(m["catalog"] for m in discovered.other if m.get("type") == "CATALOG")
        before = run_source(
            [str(official.bin)], "read", config=config,
            catalog=P.official_configured_catalog(catalog, list(STREAMS)), env=official_env, keep_records=False,
        )
        if before.exit_code != 0:
            print(before.stderr[-3000:])
            return 1
        official_state = before.latest_state()
        print(f"official connector: full sync of {sum(before.counts().values())} records, "
              f"state for {len(official_state)} streams")
        if args.save_state:
            args.save_state.write_text(json.dumps(official_state, indent=2) + "\n")
            print(f"saved its state to {args.save_state}")

        truth_before = {s: _projection(emu.control("GET", f"truth/{truth_resource(s)}"), s) for s in STREAMS}
        for resource, change in CHANGES.items():
            emu.control("POST", "mutate", json={"resource": resource, **change})
        emu.control("POST", "clock/advance", json={"seconds": 120})
        truth_after = {s: _projection(emu.control("GET", f"truth/{truth_resource(s)}"), s) for s in STREAMS}

        our_env = {**os.environ, **emu.client_env()}
        our_catalog = run_source(ours, "discover", config=config, env=our_env)
        ours_catalog = next(m["catalog"] for m in our_catalog.other if m.get("type") == "CATALOG")
        after = run_source(ours, "read", config=config, catalog=configured_catalog(ours_catalog, STREAMS),
                           state=official_state, env=our_env)

    print(f"\nour connector, incremental from the official state: exit {after.exit_code}, "
          f"{sum(after.counts().values())} records, {after.wall_seconds:.1f}s")
    for error in after.errors():
        print("  error:", error.get("message"))
    ok = after.exit_code == 0
    print(f"\n{'stream':<18} {'changed':>7} {'delivered':>9} {'all changes':>11} {'unchanged re-sent':>17}")
    for stream in STREAMS:
        changed = {k for k, v in truth_after[stream].items() if truth_before[stream].get(k) != v}
        emitted = {r.get(key_of(stream)) for r in after.records.get(stream, [])}
        complete = changed <= emitted
        ok &= complete
        print(f"{stream:<18} {len(changed):>7} {len(after.records.get(stream, [])):>9} "
              f"{'yes' if complete else 'NO':>11} {len(emitted - changed):>17}")
    return 0 if ok else 1


def _projection(rows: list[dict], stream: str) -> dict:
    key = key_of(stream)
    return {row[key]: json.dumps(row, sort_keys=True) for row in rows}


if __name__ == "__main__":
    sys.exit(main())
