"""bin/analytics on bad input ends with a clear message and exit 1, never a traceback: a DuckDB file another process
holds, a file without the synced tables, a config Zendesk refuses, a config that is no config. About 15 s."""

from __future__ import annotations

import json
import subprocess

import pytest

from analytics.tests.helpers import ANALYTICS_PYTHON, run_analytics, setup_analytics_venv
from zendesk_emulator.testing import EmulatorProcess


@pytest.fixture(scope="module")
def account():
    setup_analytics_venv()
    with EmulatorProcess(seed=3, tickets=50, plan="unlimited") as emu:
        yield emu


def _refused(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    message = done.stderr.strip().splitlines()[-1]
    assert message.startswith("bin/analytics: "), done.stderr
    for word in words:
        assert word in message, message


@pytest.fixture
def locked_db(tmp_path):
    """A DuckDB file another process has open for writing (DuckDB allows one writer process)."""
    db = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [str(ANALYTICS_PYTHON), "-c", "import duckdb, sys, time\nc = duckdb.connect(sys.argv[1])\n"
                                      "print('ready', flush=True)\ntime.sleep(120)", str(db)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    yield db
    holder.kill()
    holder.wait()


def test_given_a_duckdb_file_locked_by_another_process_when_building_then_a_clear_message_and_exit_1(locked_db, account):
    _refused(run_analytics("--skip-sync", "--db", str(locked_db)), str(locked_db), "open in another process")


def test_given_a_duckdb_file_locked_by_another_process_when_syncing_then_no_request_and_exit_1(
    locked_db, account, tmp_path
):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(account.info["oauth_access_config"]))
    account.control("POST", "stats/reset")

    done = run_analytics("--config", str(config), "--db", str(locked_db), env=account.client_env())

    _refused(done, "open in another process")
    assert account.control("GET", "stats")["requests_total"] == 0


def test_given_a_duckdb_file_without_the_synced_tables_when_building_then_it_names_them_and_exits_1(account, tmp_path):
    _refused(run_analytics("--skip-sync", "--db", str(tmp_path / "empty.duckdb")),
             "has no table tickets, ticket_comments, ticket_field_history, users")


def test_given_credentials_zendesk_refuses_when_syncing_then_a_clear_message_and_exit_1(account, tmp_path):
    config = tmp_path / "config.json"
    wrong = {**account.info["config"], "credentials": {**account.info["config"]["credentials"], "api_token": "not-the-token-8f3a"}}
    config.write_text(json.dumps(wrong))

    done = run_analytics("--config", str(config), "--db", str(tmp_path / "z.duckdb"), env=account.client_env())

    _refused(done, "Zendesk refused the config")
    assert "not-the-token-8f3a" not in done.stdout + done.stderr


@pytest.mark.parametrize("content", [None, "{not json", "[]", '{"start_date": "2024-01-01T00:00:00Z"}'])
def test_given_a_config_file_that_is_no_config_when_syncing_then_a_clear_message_and_exit_1(content, tmp_path):
    config = tmp_path / "config.json"
    if content is not None:
        config.write_text(content)
    _refused(run_analytics("--config", str(config), "--db", str(tmp_path / "z.duckdb")), "--config")
