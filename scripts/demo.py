"""The main job, end to end: our connector syncs every stream of the bundled Zendesk emulator, then syncs its changes.

Run with `bin/demo` (sets up the venv first). Options: `--tickets N`, `--seed S`, `--time-scale X`. While a read runs
it shows each stream's records so far (and the share of its estimate); at the end every stream against the
account's ground truth.

The emulator enforces Zendesk's per-minute limits on its own clock, which here runs `--time-scale` times faster than
the wall clock (20 by default: a rate-limit minute lasts 3 s), so the read waits as it would on Zendesk, only
shorter. Nothing else changes: the same requests, records and pacing, and every figure printed is measured (seconds
on the wall clock, minutes on Zendesk's).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scripts.airbyte_run import STREAMS, configured_catalog, key_value, run_source, truth_resource
from scripts.progress import ReadProgress
from zendesk_emulator.settings import PLANS
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
    parser.add_argument("--time-scale", type=float, default=20.0,
                        help="speed of the emulator's clock: a rate-limit minute lasts 60/X s (default 20; 1: Zendesk's pace)")
    args = parser.parse_args(argv)
    if args.time_scale <= 0:
        parser.error("--time-scale must be positive")

    started = time.monotonic()
    command = connector_command()
    print(f"Starting the Zendesk emulator (seed {args.seed}, {args.tickets} tickets; its clock runs {args.time_scale:g}x, "
          f"so one of Zendesk's rate-limit minutes lasts {60 / args.time_scale:g} s)...", flush=True)
    with EmulatorProcess(seed=args.seed, tickets=args.tickets, time_scale=args.time_scale) as zd:
        info, env = zd.info, {**os.environ, **zd.client_env()}
        config = info["config"]
        print(f"  account https://{info['subdomain']}.zendesk.com via proxy {info['proxy_url']}")

        # Three processes side by side: each spends its ~1.5 s of CPU mostly importing the CDK.
        with ThreadPoolExecutor(3) as pool:
            runs = [pool.submit(run_source, command, verb, config=None if verb == "spec" else config, env=env)
                    for verb in ("spec", "check", "discover")]
        spec, check, discover = (run.result() for run in runs)
        _step("spec", spec.exit_code == 0 and any(o.get("type") == "SPEC" for o in spec.other), spec)

        status = next((o["connectionStatus"] for o in check.other if o.get("type") == "CONNECTION_STATUS"), {})
        _step(f"check: {status.get('status')}", status.get("status") == "SUCCEEDED", check)

        catalog = next((o["catalog"] for o in discover.other if o.get("type") == "CATALOG"), None)
        _step(f"discover: {len(catalog['streams']) if catalog else 0} streams", bool(catalog), discover)
        configured = configured_catalog(catalog, STREAMS)

        names = [c["stream"]["name"] for c in configured["streams"]]
        zd.control("POST", "stats/reset")  # count the read's requests only
        full = run_source(command, "read", config=config, catalog=configured, env=env,
                          progress=ReadProgress("full read", names))
        _step(f"full read: {sum(full.counts().values()):,} records in {full.wall_seconds:.1f} s", full.exit_code == 0, full)
        print("    " + _pace(zd.control("GET", "stats"), zd.control("GET", "settings")))
        truth_before = {s: zd.control("GET", f"truth/{truth_resource(s)}") for s in STREAMS}

        print("Changing the account: " + ", ".join(f"{r} {c}" for r, c in CHANGES.items()))
        for resource_name, change in CHANGES.items():
            zd.control("POST", "mutate", json={"resource": resource_name, **change})
        zd.control("POST", "clock/advance", json={"seconds": 120})  # past the minute Zendesk's exports hold back
        truth_after = {s: zd.control("GET", f"truth/{truth_resource(s)}") for s in STREAMS}

        incremental = run_source(command, "read", config=config, catalog=configured, state=full.latest_state(), env=env,
                                 progress=ReadProgress("incremental read", names))
        _step(
            f"incremental read: {sum(incremental.counts().values()):,} records in {incremental.wall_seconds:.1f} s",
            incremental.exit_code == 0,
            incremental,
        )

    ok = _report(configured, full, incremental, truth_before, truth_after)
    print(f"\nThe demo took {time.monotonic() - started:.0f} s.")
    return 0 if ok else 1


def _pace(stats: dict, settings: dict) -> str:
    """What Zendesk's limits made of the read: its requests, the emulated minutes they spread over, and the fewest
    minutes the plan's limits allow them in."""
    minutes = stats["by_minute"]
    counted, exports = sum(m["requests"] for m in minutes), sum(m["exports"] for m in minutes)
    refused = stats["by_status"].get("429", 0)
    text = (f"{stats['requests_total']:,} requests ({exports} exports, {refused or 'no'} 429) over {len(minutes)} of "
            f"Zendesk's rate-limit minutes, {60 / settings['time_scale']:g} s each here")
    account, export = PLANS[settings["plan"]]
    if account is not None and export is not None:
        fewest = max(math.ceil(counted / account), math.ceil(exports / export))
        text += (f"; the {settings['plan']} plan's limits ({account:,} requests and {export} exports a minute) "
                 f"allow them in {fewest} at the least")
    return text


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
