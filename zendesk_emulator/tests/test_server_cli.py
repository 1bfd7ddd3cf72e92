"""`python -m zendesk_emulator`: info file, options, clean exit on SIGTERM/SIGINT, the pytest fixture factory."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from zendesk_emulator.testing import EmulatorError, EmulatorProcess, emulator_fixture

FAKE = "zendesk_emulator.tests.fake_account:ZendeskAccount"
ROOT = Path(__file__).resolve().parents[2]

emulator = emulator_fixture(account=FAKE, seed=5, tickets=30, plan="unlimited", subdomain="initech")


def _port_closed(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return True
    return False


def test_given_info_file_then_it_holds_exactly_the_contract_keys_and_working_configs(emulator):
    info = emulator.info
    assert set(info) == {"proxy_url", "control_url", "ca_file", "subdomain", "base_url", "config", "oauth_config",
                         "oauth_access_config", "pid", "seed", "counts"}
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", info["proxy_url"])
    assert info["control_url"] == info["proxy_url"] + "/_emulator"
    assert Path(info["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert (info["subdomain"], info["base_url"]) == ("initech", "https://initech.zendesk.com/api/v2/")
    assert info["pid"] == emulator.process.pid and info["seed"] == 5
    assert info["counts"] == {"tickets": 30, "users": 5}
    configs = [info["config"], info["oauth_config"], info["oauth_access_config"]]
    assert [c["credentials"]["credentials"] for c in configs] == ["api_token", "oauth2_refresh", "oauth2.0"]
    assert set(info["config"]["credentials"]) == {"credentials", "email", "api_token"}
    assert set(info["oauth_config"]["credentials"]) == {"credentials", "client_id", "client_secret", "refresh_token"}
    assert set(info["oauth_access_config"]["credentials"]) == {"credentials", "access_token"}
    for config in configs:
        assert config["subdomain"] == "initech"
        start = datetime.strptime(config["start_date"], "%Y-%m-%dT%H:%M:%SZ")
        assert datetime.now().year - start.year == 10


def test_given_info_file_credentials_when_calling_through_the_proxy_then_they_work(emulator):
    with emulator.session() as session:
        creds = emulator.info["config"]["credentials"]
        me = session.get(emulator.url("users/me.json"), auth=(f"{creds['email']}/token", creds["api_token"]), timeout=10)
        assert me.status_code == 200
        token = emulator.info["oauth_access_config"]["credentials"]["access_token"]
        me = session.get(emulator.url("users/me.json"), headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert me.status_code == 200


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_when_signalled_then_exit_0_and_port_closed(signum):
    emu = EmulatorProcess(account=FAKE, tickets=5).start()
    try:
        with emu.session() as session:  # an open keep-alive connection must not block the exit
            session.get(emu.url("users/me.json"), auth=emu.api_token_auth(), timeout=10)
            os.kill(emu.process.pid, signum)
            assert emu.process.wait(10) == 0
    finally:
        emu.stop()
    assert emu.returncode == 0
    assert _port_closed(emu.info["proxy_url"])


def test_given_state_dir_when_restarted_then_same_ca_is_reused(tmp_path):
    with EmulatorProcess(account=FAKE, tickets=5, state_dir=str(tmp_path)) as first:
        ca = Path(first.info["ca_file"]).read_bytes()
    with EmulatorProcess(account=FAKE, tickets=5, state_dir=str(tmp_path)) as second:
        assert Path(second.info["ca_file"]).read_bytes() == ca
        with second.session() as session:
            assert session.get(second.url("users/me.json"), auth=second.api_token_auth(), timeout=10).status_code == 200


def test_given_options_then_initial_settings_follow_them():
    options = {"plan": "team", "time_scale": 12, "fault_rate": 0.1, "slow_seconds": 4, "oauth_access_ttl": 900,
               "settings": {"forbidden": ["tags"]}}
    with EmulatorProcess(account=FAKE, tickets=5, **options) as emu:
        settings = emu.control("GET", "settings")
    assert (settings["plan"], settings["time_scale"], settings["fault_rate"]) == ("team", 12, 0.1)
    assert (settings["slow_seconds"], settings["oauth_access_ttl"], settings["forbidden"]) == (4, 900, ["tags"])


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "zendesk_emulator", *args], capture_output=True, text=True,
                          timeout=30, env=env)


def test_when_asking_help_then_every_option_and_the_control_routes_are_documented():
    result = _cli("--account", FAKE, "--help")
    assert result.returncode == 0
    for option in ("--host", "--port", "--seed", "--tickets", "--users", "--plan", "--time-scale", "--fault-rate",
                   "--slow-seconds", "--subdomain", "--state-dir", "--info-file", "--verbose", "--oauth-access-ttl",
                   "--settings", "stats/reset", "clock/advance", "fault_sequence", "incomplete"):
        assert option in result.stdout


@pytest.mark.parametrize("args", [("--plan", "platinum"), ("--fault-rate", "2"), ("--settings", '{"colour": 1}'),
                                  ("--account", "no.such.module:Account")])
def test_given_bad_options_then_usage_error_exit_2(args):
    result = _cli("--account", FAKE, *args) if args[0] != "--account" else _cli(*args)
    assert result.returncode == 2
    assert "error" in result.stderr


def test_given_verbose_then_one_line_per_request_on_stderr():
    with EmulatorProcess(account=FAKE, tickets=5, verbose=True) as emu:
        with emu.session() as session:
            for _ in range(3):
                session.get(emu.url("users/me.json"), auth=emu.api_token_auth(), timeout=10)
        time.sleep(0.1)
        lines = [line for line in emu.stderr().splitlines() if "/api/v2/users/me.json -> 200" in line]
    assert len(lines) == 3


def test_given_an_account_that_cannot_start_then_start_raises_with_its_stderr():
    with pytest.raises(EmulatorError, match="exited with 2"):
        EmulatorProcess(account=FAKE, plan="platinum").start()
