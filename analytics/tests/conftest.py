"""The emulated account the end-to-end analytics tests share, and bin/analytics's first run on it."""

from __future__ import annotations

import json

import pytest

from analytics.tests.helpers import TICKETS, run_analytics, setup_analytics_venv
from zendesk_emulator.testing import EmulatorProcess


@pytest.fixture(scope="session")
def account():
    setup_analytics_venv()
    with EmulatorProcess(seed=5, tickets=TICKETS, plan="unlimited") as emu:
        yield emu


@pytest.fixture(scope="session")
def first_run(account, tmp_path_factory):
    """The first bin/analytics on the account: its output, its DuckDB file and config."""
    folder = tmp_path_factory.mktemp("analytics")
    db, config = folder / "zendesk.duckdb", folder / "config.json"
    config.write_text(json.dumps(account.info["oauth_config"]))  # OAuth refresh: Zendesk rotates the refresh token
    done = run_analytics("--config", str(config), "--db", str(db), env=account.client_env())
    return done, db, config
