"""Reproduce notes/peer-findings.md B7: the official connector's incremental sync of a semi-incremental list with more
than 100 records misses a change that is not on the first page; ours, from the same official state, does not.

    .venv/bin/python bench/official_page_loss.py [triggers|organization_fields|groups ...]

For each stream: 150 records are created, a second later one more; the official connector 4.9.1 syncs the stream in
full; one more record is created (it goes to the end of the list, page 2); then the official connector and ours
each sync incrementally from the official state. Exit status 1 when ours misses the new record (the official
missing it is the finding, printed, not a failure of this check).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers as P  # noqa: E402

from scripts.airbyte_run import configured_catalog, run_source  # noqa: E402
from zendesk_emulator.testing import EmulatorProcess  # noqa: E402


def check(stream: str, tmp: Path) -> bool:
    official = P.PEERS["official"]
    # The emulated clock stays on the wall clock's (no clock/advance): the official connector ends its cursor's
    # window at the machine's now, and a state later than that would read nothing for another reason.
    with EmulatorProcess(seed=5, tickets=200, plan="unlimited") as emu:
        info = emu.info
        env = P.peer_env(info, P.ca_bundle(official, info["ca_file"], tmp))
        emu.control("POST", "mutate", json={"resource": stream, "create": 150})
        time.sleep(1.5)
        emu.control("POST", "mutate", json={"resource": stream, "create": 1})
        time.sleep(1.5)
        discovered = run_source(official.command, "discover", config=info["config"], env=env)
        catalog = P.official_configured_catalog(
            next(m["catalog"] for m in discovered.other if m.get("type") == "CATALOG"), [stream])
        full = run_source(official.command, "read", config=info["config"], catalog=catalog, env=env)
        state = full.latest_state()
        created = emu.control("POST", "mutate", json={"resource": stream, "create": 1})["created"]
        time.sleep(1.5)
        emu.control("POST", "stats/reset")
        again = run_source(official.command, "read", config=info["config"], catalog=catalog, env=env, state=state)
        official_requests = emu.control("GET", "stats")["by_endpoint"]

        ours = [sys.executable, str(ROOT / "main.py")]
        our_env = {**os.environ, **emu.client_env()}
        our_discovered = run_source(ours, "discover", config=info["config"], env=our_env)
        our_catalog = configured_catalog(
            next(m["catalog"] for m in our_discovered.other if m.get("type") == "CATALOG"), [stream])
        emu.control("POST", "stats/reset")
        mine = run_source(ours, "read", config=info["config"], catalog=our_catalog, env=our_env, state=state)
        our_requests = emu.control("GET", "stats")["by_endpoint"]

    official_ids = {r["id"] for r in again.records[stream]}
    our_ids = {r["id"] for r in mine.records[stream]}
    print(f"{stream}: full sync {len(full.records[stream])} records, official state "
          f"{state[0]['stream']['stream_state'] if state else None}; created {created}")
    print(f"  official incremental: exit {again.exit_code}, {sorted(official_ids)}, requests {official_requests}"
          f" -> {'has' if set(created) <= official_ids else 'MISSES'} the new record")
    print(f"  ours from that state: exit {mine.exit_code}, {sorted(our_ids)}, requests {our_requests}"
          f" -> {'has' if set(created) <= our_ids else 'MISSES'} the new record")
    return mine.exit_code == 0 and set(created) <= our_ids


def main(argv: list[str] | None = None) -> int:
    streams = (argv if argv is not None else sys.argv[1:]) or ["triggers", "organization_fields"]
    P.ensure_venv(P.PEERS["official"])
    with tempfile.TemporaryDirectory() as tmp:
        results = [check(stream, Path(tmp)) for stream in streams]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
