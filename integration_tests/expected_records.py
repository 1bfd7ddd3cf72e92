"""Records the connector must emit, exactly, for a fixed emulated account: a regression net over the whole path
emulator → HTTP → stream → record → message.

The account is fixed by seed, size and anchor time, so its records are too. After a deliberate change to the
emulator's data or to what the connector emits, rewrite the file and review the diff:

    .venv/bin/python -m integration_tests.expected_records --write
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from scripts.airbyte_run import STREAMS, configured_catalog, key_value, run_source
from zendesk_emulator.testing import EmulatorProcess

HERE = Path(__file__).parent
EXPECTED = HERE / "expected_records.jsonl"
ACCOUNT = {"seed": 11, "tickets": 400, "anchor": "2026-06-01T12:00:00Z", "plan": "unlimited"}
PER_STREAM = 2  # the records with the smallest keys of each stream


def sample_records() -> list[dict]:
    with EmulatorProcess(**ACCOUNT) as emulator:
        env = {**os.environ, **emulator.client_env()}
        command = [sys.executable, str(HERE.parent / "main.py")]
        config = emulator.info["config"]
        discovered = run_source(command, "discover", config=config, env=env)
        catalog = next(m["catalog"] for m in discovered.other if m.get("type") == "CATALOG")
        result = run_source(command, "read", config=config, catalog=configured_catalog(catalog, STREAMS, False), env=env)
        if result.exit_code != 0:
            raise RuntimeError(result.stderr[-3000:])
    rows = []
    for stream in STREAMS:
        for record in sorted(result.records[stream], key=lambda r: str(key_value(r, stream)))[:PER_STREAM]:
            rows.append({"stream": stream, "data": record})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="rewrite expected_records.jsonl")
    args = parser.parse_args()
    rows = sample_records()
    text = "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows)
    if args.write:
        EXPECTED.write_text(text)
        print(f"wrote {len(rows)} records to {EXPECTED}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
