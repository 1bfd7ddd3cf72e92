"""Item 7, secrets: every connector run of this suite goes through `run_connector`, which scans its whole output
(records, logs, traces, errors, stderr) for the tokens, secrets and passwords of the config it was given, and for
the Basic auth header built from them, and fails the test on any hit. These tests make sure that scan can fail,
and push the places most likely to leak: `--debug` (the CDK logs every request with its headers), each kind of
credentials, Zendesk refusing them, and faults whose error messages quote the request.
"""

from __future__ import annotations

import json

import pytest

from zendesk_emulator.testing import EmulatorProcess

from .harness import Run, catalog_for, connector_env, count, leaks, run_connector

pytestmark = pytest.mark.reliability

CONFIG = {
    "subdomain": "acme",
    "credentials": {"credentials": "api_token", "email": "a@acme.com", "api_token": "s3cr3t-token"},
}


def _run(lines: list[dict], stderr: str = "") -> Run:
    return Run(verb="read", exit_code=0, killed=False, wall_seconds=0.0, messages=lines,
               stdout="\n".join(json.dumps(m) for m in lines), stderr=stderr)  # fmt: skip


@pytest.mark.parametrize(
    "where",
    [
        {"type": "LOG", "log": {"level": "DEBUG", "message": "token s3cr3t-token"}},
        {"type": "RECORD", "record": {"stream": "x", "data": {"note": "s3cr3t-token"}}},
        {
            "type": "TRACE",
            "trace": {"type": "ERROR", "error": {"message": "Basic YUBhY21lLmNvbS90b2tlbjpzM2NyM3QtdG9rZW4="}},
        },
    ],
    ids=["log", "record", "auth header in a trace"],
)
def test_given_a_secret_anywhere_in_the_output_then_the_scan_finds_it(where):
    assert leaks(_run([where]), CONFIG)


def test_given_a_secret_in_stderr_then_the_scan_finds_it_but_not_in_a_config_update_message():
    assert leaks(_run([], stderr="Traceback ... s3cr3t-token"), CONFIG)
    control = {"type": "CONTROL", "control": {"type": "CONNECTOR_CONFIG", "connectorConfig": {"config": CONFIG}}}
    assert not leaks(_run([control]), CONFIG)


@pytest.fixture(scope="module")
def emulator():
    # Faults whose messages quote the failed request, so the error paths are scanned too.
    settings = {"fault_sequence": {"tags": ["500", "reset", "truncate"], "users/me": ["503"]}}
    with EmulatorProcess(seed=101, tickets=200, plan="unlimited", settings=settings) as emu:
        yield emu


@pytest.mark.parametrize("kind", ["config", "oauth_access_config", "oauth_config", "wrong_token"])
def test_given_each_kind_of_credentials_when_checked_and_read_in_debug_mode_then_no_secret_is_printed(
    emulator, discovered, kind
):
    if kind == "wrong_token":
        config = json.loads(json.dumps(emulator.info["config"]))
        config["credentials"]["api_token"] = "wrong-but-secret-token"
    else:
        config = emulator.info[kind]
    env = connector_env(emulator)
    catalog = catalog_for(discovered, ["tags", "users"])

    check = run_connector("check", env, config=config, extra_args=["--debug"])  # scanned inside
    # Zendesk rotates a refresh token on use: the next run gets the pair check was handed, as Airbyte would do.
    rotated = [m["control"]["connectorConfig"]["config"] for m in check.of_type("CONTROL")]
    read = run_connector(
        "read", env, config=rotated[-1] if rotated else config, catalog=catalog, extra_args=["--debug"]
    )

    assert check.connection_status() is not None
    if kind == "wrong_token":
        assert check.connection_status()["status"] == "FAILED" and read.exit_code == 1
    else:
        assert read.exit_code == 0 and read.records("tags"), read.describe()
    # With --debug the CDK prints its debug lines as {"type": "DEBUG", "message": ..., "data": {headers...}}.
    debug = [m for m in read.messages if m.get("type") == "DEBUG"]
    assert any("Making outbound API request" in m["message"] for m in debug), "debug logging was not on"
    assert any("Authorization" in json.dumps(m) for m in debug), "the request headers were not logged"
    count("secrets", debug_runs=2)
