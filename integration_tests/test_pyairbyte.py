"""README "Use it with PyAirbyte", exactly as written: examples/pyairbyte_sync.py, run by PyAirbyte's own Python,
syncs the emulated account into a DuckDB file through the connector installed as the image installs it, with OAuth
refresh credentials whose rotated pair the config-change callback saves; then again from the saved config.

The PyAirbyte venv (~800 MB) and the installed connector are built on first use and kept (unit_tests/installed.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scripts.airbyte_run import truth_resource
from unit_tests.installed import ROOT, clean_env, image_venv, pyairbyte_venv
from zendesk_emulator.testing import EmulatorProcess

pytestmark = pytest.mark.pyairbyte

EXAMPLE = ROOT / "examples" / "pyairbyte_sync.py"
STREAMS = ["tickets", "users", "organizations", "groups", "ticket_metrics"]  # what the example selects


@pytest.fixture(scope="module")
def account():
    """An account of its own: its refresh token is fresh (the session's is rotated by test_oauth.py)."""
    with EmulatorProcess(seed=11, tickets=300, plan="unlimited") as emu:
        yield emu


def _sync(account: EmulatorProcess, config: Path, tmp_path: Path) -> tuple[dict[str, int], list[list[str]]]:
    env = {**clean_env(), **account.client_env(),
           # No Airbyte registry or telemetry from here; PyAirbyte's logs in the test's folder.
           "AIRBYTE_OFFLINE_MODE": "1", "DO_NOT_TRACK": "1", "AIRBYTE_LOGGING_ROOT": str(tmp_path / "logs")}
    command = [str(pyairbyte_venv() / "bin" / "python"), str(EXAMPLE), str(config), str(tmp_path / "zendesk.duckdb"),
               str(image_venv() / "bin" / "source-zendesk-support")]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]), [line.split("\t") for line in lines if line.count("\t") == 2]


def test_given_oauth_refresh_credentials_when_the_readme_example_syncs_twice_then_duckdb_holds_the_truth(
    account, tmp_path
):
    original = account.info["oauth_config"]
    config = tmp_path / "config.json"
    config.write_text(json.dumps(original))
    truth = {stream: len(account.control("GET", f"truth/{truth_resource(stream)}")) for stream in STREAMS}

    counts, rows = _sync(account, config, tmp_path)

    assert counts == truth
    # The SQL query ran over the synced tables: organizations joined to their tickets, busiest first.
    assert rows and all(int(tickets) > 0 for _, _, tickets in rows)
    assert [int(r[2]) for r in rows] == sorted((int(r[2]) for r in rows), reverse=True)
    saved = json.loads(config.read_text())
    assert saved["credentials"]["refresh_token"] != original["credentials"]["refresh_token"], (
        "the rotated refresh token did not reach the config file through config_change_callback"
    )
    assert {k: v for k, v in saved.items() if k != "credentials"} == {
        k: v for k, v in original.items() if k != "credentials"}

    # The old refresh token is spent: only the saved one can start the next sync, which merges into the same tables.
    again, _ = _sync(account, config, tmp_path)
    assert again == truth
