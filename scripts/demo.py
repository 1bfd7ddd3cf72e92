"""The main job, end to end: our connector syncs every stream of the bundled Zendesk emulator, then syncs its changes.

Run with `bin/demo` (sets up the venv first). Options: `--tickets N`, `--seed S`, `--keep` to leave the emulator
running afterwards for manual `read` commands.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from scripts.airbyte_run import STREAMS, configured_catalog, key_value, run_source, truth_resource
from zendesk_emulator.testing import EmulatorProcess

CHANGES = {  # what happens in Zendesk between the two syncs
    "tickets": {"create": 25, "update": 40, "delete": 3},
    "users": {"create": 10, "update": 10, "delete": 2},
    "organizations": {"create": 5, "update": 5},
    "groups": {"create": 1, "update": 1, "delete": 1},
    "macros": {"create": 2, "update": 2},
    "ticket_fields": {"create": 1, "update": 1},
}


def connector_command() -> list[str]:
    exe = shutil.which("source-zendesk-support", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "main.py"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    command = connector_command()
    print(f"Starting the Zendesk emulator (seed {args.seed}, {args.tickets} tickets)...", flush=True)
    with EmulatorProcess(seed=args.seed, tickets=args.tickets) as zd:
        info, env = zd.info, {**os.environ, **zd.client_env()}
        config = info["config"]
        print(f"  account https://{info['subdomain']}.zendesk.com via proxy {info['proxy_url']}")

        spec = run_source(command, "spec", env=env)
        _step("spec", spec.exit_code == 0 and any(o.get("type") == "SPEC" for o in spec.other), spec)

        check = run_source(command, "check", config=config, env=env)
        status = next((o["connectionStatus"] for o in check.other if o.get("type") == "CONNECTION_STATUS"), {})
        _step(f"check: {status.get('status')}", status.get("status") == "SUCCEEDED", check)

        discover = run_source(command, "discover", config=config, env=env)
        catalog = next((o["catalog"] for o in discover.other if o.get("type") == "CATALOG"), None)
        _step(f"discover: {len(catalog['streams']) if catalog else 0} streams", bool(catalog), discover)
        configured = configured_catalog(catalog, STREAMS)

        full = run_source(command, "read", config=config, catalog=configured, env=env)
        _step(f"full read: {sum(full.counts().values())} records in {full.wall_seconds:.1f}s", full.exit_code == 0, full)
        truth_before = {s: zd.control("GET", f"truth/{truth_resource(s)}") for s in STREAMS}

        print("Changing the account: " + ", ".join(f"{r} {c}" for r, c in CHANGES.items()))
        for resource_name, change in CHANGES.items():
            zd.control("POST", "mutate", json={"resource": resource_name, **change})
        zd.control("POST", "clock/advance", json={"seconds": 120})  # past the minute Zendesk's exports hold back
        truth_after = {s: zd.control("GET", f"truth/{truth_resource(s)}") for s in STREAMS}

        incremental = run_source(command, "read", config=config, catalog=configured, state=full.latest_state(), env=env)
        _step(
            f"incremental read: {sum(incremental.counts().values())} records in {incremental.wall_seconds:.1f}s",
            incremental.exit_code == 0,
            incremental,
        )

    ok = _report(configured, full, incremental, truth_before, truth_after)
    return 0 if ok else 1


def _step(label: str, ok: bool, result) -> None:
    print(f"  {'ok ' if ok else 'FAILED'} {label}", flush=True)
    if not ok:
        for error in result.errors():
            print("    error:", error.get("message"))
        print(result.stderr[-3000:])
        raise SystemExit(1)


def _changed(before: list[dict], after: list[dict], stream: str) -> set:
    old = {json.dumps(r, sort_keys=True) for r in before}
    return {key_value(r, stream) for r in after if json.dumps(r, sort_keys=True) not in old}


def _report(configured, full, incremental, truth_before, truth_after) -> bool:
    modes = {c["stream"]["name"]: c["sync_mode"] for c in configured["streams"]}
    print()
    header = f"{'stream':<24} {'mode':<12} {'full':>7} {'truth':>7} {'match':>5} | {'incr':>6} {'changed':>7} {'got all':>7}"
    print(header)
    print("-" * len(header))
    all_ok = True
    for stream in STREAMS:
        full_ids = {key_value(r, stream) for r in full.records.get(stream, [])}
        truth_ids = {key_value(r, stream) for r in truth_before[stream]}
        incr_ids = {key_value(r, stream) for r in incremental.records.get(stream, [])}
        changed = _changed(truth_before[stream], truth_after[stream], stream)
        match = full_ids == truth_ids
        got_all = changed <= incr_ids
        all_ok &= match and got_all
        print(
            f"{stream:<24} {modes.get(stream, '-'):<12} {len(full.records.get(stream, [])):>7} {len(truth_ids):>7} "
            f"{'yes' if match else 'NO':>5} | {len(incremental.records.get(stream, [])):>6} {len(changed):>7} "
            f"{'yes' if got_all else 'NO':>7}"
        )
    print()
    print("full: records emitted by the first sync; truth: records the account holds; match: same ids.")
    print("incr: records emitted by the incremental sync; changed: records created/updated/deleted in between;")
    print("got all: every changed record arrived. Full-refresh streams re-read everything by design.")
    return all_ok


if __name__ == "__main__":
    sys.exit(main())
