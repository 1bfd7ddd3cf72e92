"""Item 4, hostile config: bad configs through the real entrypoint, as `check` (and a sample as `discover` and
`read`). Each one must end in a failed check or a config error whose message names the field, with no stack trace
anywhere in the output, and the connector must not reach any host but `<subdomain>.zendesk.com`.

Two witnesses for the last point: the emulator, which is the HTTPS proxy every request has to go through (its
stats count what reached it), and a socket guard loaded into the connector process (guard/sitecustomize.py) that
logs every connection, DNS lookup and proxy tunnel the process attempts.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from zendesk_emulator.testing import EmulatorProcess

from .harness import FULL, connector_env, count, guarded_env, run_connector, socket_events

pytestmark = pytest.mark.reliability

EMAIL, TOKEN = "admin@acme.com", "hostile-config-token-0001"
API_TOKEN = {"credentials": "api_token", "email": EMAIL, "api_token": TOKEN}


def _config(**fields) -> dict:
    config = {"subdomain": "acme", "start_date": "2020-01-01T00:00:00Z", "credentials": API_TOKEN}
    config.update(fields)
    return {key: value for key, value in config.items() if value is not _MISSING}


_MISSING = object()

# (name, config, the field the message must name). Refused before any request. Secrets are realistic in length: the
# CDK masks every occurrence of a secret's value in messages, so a one-letter client id would mask every "c".
REFUSED = [
    ("subdomain with a path", _config(subdomain="acme.zendesk.com/api/v2"), "subdomain"),
    ("subdomain URL with a path", _config(subdomain="https://acme.zendesk.com/evil"), "subdomain"),
    ("subdomain with a port", _config(subdomain="acme.zendesk.com:8443"), "subdomain"),
    ("bare subdomain with a port", _config(subdomain="acme:443"), "subdomain"),
    ("user info", _config(subdomain="evil.com@acme.zendesk.com"), "subdomain"),
    ("user info in a URL", _config(subdomain="https://attacker@acme.zendesk.com"), "subdomain"),
    ("fragment", _config(subdomain="evil.com#.zendesk.com"), "subdomain"),
    ("query", _config(subdomain="evil.com?.zendesk.com"), "subdomain"),
    ("another host", _config(subdomain="acme.evil.com"), "subdomain"),
    ("lookalike domain", _config(subdomain="acme.zendesk.com.evil.com"), "subdomain"),
    ("http scheme", _config(subdomain="http://acme.zendesk.com"), "subdomain"),
    ("other scheme", _config(subdomain="ftp://acme.zendesk.com"), "subdomain"),
    ("ip address", _config(subdomain="127.0.0.1"), "subdomain"),
    ("cyrillic a", _config(subdomain="\u0430cme"), "subdomain"),
    ("kelvin sign", _config(subdomain="\u212aelvin"), "subdomain"),
    ("fullwidth letters", _config(subdomain="\uff41\uff43\uff4d\uff45"), "subdomain"),
    ("punycode-looking dots", _config(subdomain="acme\u3002zendesk\u3002com"), "subdomain"),
    ("empty subdomain", _config(subdomain=""), "subdomain"),
    ("blank subdomain", _config(subdomain="   "), "subdomain"),
    ("huge subdomain", _config(subdomain="a" * 100_000), "subdomain"),
    ("number subdomain", _config(subdomain=12345), "subdomain"),
    ("null subdomain", _config(subdomain=None), "subdomain"),
    ("missing subdomain", _config(subdomain=_MISSING), "subdomain"),
    ("newline in subdomain", _config(subdomain="acme\nHost: evil.com"), "subdomain"),
    ("malformed start_date", _config(start_date="yesterday"), "start_date"),
    ("impossible start_date", _config(start_date="2024-02-30T00:00:00Z"), "start_date"),
    ("start_date with offset", _config(start_date="2024-01-01T00:00:00+02:00"), "start_date"),
    ("future start_date", _config(start_date="2999-01-01T00:00:00Z"), "start_date"),
    ("start_date before 1970", _config(start_date="1969-07-20T20:17:00Z"), "start_date"),
    ("numeric start_date", _config(start_date=1704067200), "start_date"),
    ("huge start_date", _config(start_date="9" * 10_000), "start_date"),
    ("credentials a string", _config(credentials=TOKEN), "credentials"),
    ("credentials a list", _config(credentials=[API_TOKEN]), "credentials"),
    ("missing credentials", _config(credentials=_MISSING), "credentials"),
    ("unknown credentials kind", _config(credentials={**API_TOKEN, "credentials": "password"}), "credentials.credentials"),
    ("api token without token", _config(credentials={"credentials": "api_token", "email": EMAIL}), "credentials.api_token"),
    ("api token without email", _config(credentials={"credentials": "api_token", "api_token": TOKEN}), "credentials.email"),
    ("api token as a number", _config(credentials={**API_TOKEN, "api_token": 123456789}), "credentials.api_token"),
    ("email without @", _config(credentials={**API_TOKEN, "email": "admin.acme.com"}), "credentials.email"),
    ("email with a colon", _config(credentials={**API_TOKEN, "email": "admin:x@acme.com"}), "credentials.email"),
    ("oauth without token", _config(credentials={"credentials": "oauth2.0"}), "credentials.access_token"),
    ("oauth empty token", _config(credentials={"credentials": "oauth2.0", "access_token": ""}), "credentials.access_token"),
    ("refresh without refresh token", _config(credentials={"credentials": "oauth2_refresh", "client_id": "hostile-client-0001",
                                                           "client_secret": "hostile-secret-0001"}), "credentials.refresh_token"),
    ("refresh with a bad expiry", _config(credentials={"credentials": "oauth2_refresh", "client_id": "hostile-client-0001",
                                                       "client_secret": "hostile-secret-0001",
                                                       "refresh_token": "hostile-refresh-0001",
                                                       "token_expiry_date": "soon"}), "credentials.token_expiry_date"),
    ("config not an object", ["acme"], "config"),
]  # fmt: skip
# Well formed, so the connector asks Zendesk, which refuses: the only host reached is the config's own.
ASKED = [
    ("wrong api token", _config(credentials={**API_TOKEN, "api_token": "wrong-token-000000"}), "credentials"),
    ("unknown subdomain", _config(subdomain="nobody"), "subdomain"),
    ("unknown subdomain as a URL", _config(subdomain="https://nobody.zendesk.com/"), "subdomain"),
    ("localhost as a subdomain", _config(subdomain="localhost"), "subdomain"),
]


@pytest.fixture(scope="module")
def emulator():
    with EmulatorProcess(seed=71, tickets=200, plan="unlimited") as emu:
        yield emu


def _check(emulator, tmp_path: Path, name: str, config, verb: str = "check"):
    log = tmp_path / f"{abs(hash((name, verb)))}.sockets"
    env = guarded_env(connector_env(emulator), log)
    return run_connector(verb, env, config=config), socket_events(log)


def _message(run) -> str:
    status = run.connection_status()
    if status is not None:
        assert status["status"] == "FAILED", status
        return status["message"]
    errors = run.errors()
    assert errors and errors[-1]["failure_type"] == "config_error", run.describe()
    return errors[-1]["message"]


def _assert_no_stack_trace(run) -> None:
    assert "Traceback" not in run.stdout + run.stderr, run.stdout[-2000:] + run.stderr[-2000:]
    assert all(not error.get("stack_trace") for error in run.errors())


def test_given_hostile_configs_when_checked_then_each_fails_naming_its_field_and_reaches_no_host(emulator, tmp_path):
    assert len(REFUSED) + len(ASKED) >= 30
    before = emulator.control("GET", "stats")["requests_total"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda case: (case, *_check(emulator, tmp_path, case[0], case[1])), REFUSED))
    for (name, _, field), run, sockets in results:
        message = _message(run)
        assert f"'{field}'" in message, f"{name}: {message}"
        _assert_no_stack_trace(run)
        assert sockets == [], f"{name}: the connector reached out: {sockets}"
    assert emulator.control("GET", "stats")["requests_total"] == before, "a refused config made a request"
    count("hostile config", configs_tried=len(REFUSED), requests_made=0, stack_traces=0)


@pytest.mark.parametrize("name, config, field", ASKED, ids=[case[0] for case in ASKED])
def test_given_a_well_formed_but_wrong_config_when_checked_then_only_its_own_zendesk_host_is_asked(
    emulator, tmp_path, name, config, field
):
    run, sockets = _check(emulator, tmp_path, name, config)

    message = _message(run)
    assert f"'{field}'" in message or ("credentials" in field and "Zendesk rejected the credentials" in message), (
        message
    )
    _assert_no_stack_trace(run)
    subdomain = config["subdomain"].removeprefix("https://").split(".")[0]
    host = f"{subdomain}.zendesk.com"
    proxy = emulator.info["proxy_url"].rsplit(":", 1)
    tunnels = {(e["host"], e["port"]) for e in sockets if e["kind"] == "tunnel"}
    connects = {(e["host"], str(e["port"])) for e in sockets if e["kind"] == "connect"}
    assert tunnels == {(host, 443)}, sockets
    assert connects == {(proxy[0].removeprefix("http://"), proxy[1])}, sockets
    count("hostile config", configs_tried=1)


@pytest.mark.parametrize("verb", ["discover", "read"])
def test_given_hostile_configs_when_discovering_or_reading_then_the_same_config_errors(
    emulator, tmp_path, discovered, verb
):
    sample = REFUSED if FULL else list(itertools.islice(REFUSED, 0, None, 12))
    for name, config, field in sample:
        log = tmp_path / f"{verb}-{abs(hash(name))}.sockets"
        env = guarded_env(connector_env(emulator), log)
        catalog = {"streams": []} if verb == "discover" else {"streams": [
            {"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
            for s in discovered["streams"][:1]]}  # fmt: skip
        run = run_connector(verb, env, config=config, catalog=catalog if verb == "read" else None)
        assert run.exit_code == 1, f"{name}: {run.describe()}"
        (error,) = run.errors()
        assert error["failure_type"] == "config_error" and f"'{field}'" in error["message"], (name, error)
        _assert_no_stack_trace(run)
        assert socket_events(log) == [], name
    count("hostile config", **{f"{verb}_runs": len(sample)})
