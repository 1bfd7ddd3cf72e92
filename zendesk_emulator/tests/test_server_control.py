"""`/_emulator/` control routes: stats, settings validation, truth and mutate passthrough, the clock."""

from __future__ import annotations

import pytest
import requests

from zendesk_emulator.testing import EmulatorError, serve_in_thread
from zendesk_emulator.tests.fake_account import FakeAccount, Sizes


@pytest.fixture(scope="module")
def emu():
    with serve_in_thread(FakeAccount, sizes=Sizes(tickets=20), settings={"plan": "unlimited"}) as running:
        yield running


@pytest.fixture
def session(emu):
    emu.reset()
    with emu.session() as session:
        session.auth = emu.api_token_auth()
        yield session


def _direct(method: str, url: str, **kwargs) -> requests.Response:
    with requests.Session() as direct:
        direct.trust_env = False  # no proxy from the environment
        return direct.request(method, url, timeout=10, **kwargs)


def _put(emu, patch) -> requests.Response:
    return _direct("PUT", f"{emu.info['control_url']}/settings", json=patch)


def test_when_calling_api_then_stats_count_by_endpoint_without_query_by_route_and_by_status(session, emu):
    session.get(emu.url("users/me.json?x=1"), timeout=10)
    session.get(emu.url("users/me.json?x=2"), timeout=10)
    session.get(emu.url("incremental/tickets/cursor.json?start_time=0"), timeout=10)
    session.get(emu.url("users/me.json"), auth=("bad/token", "x"), timeout=10)
    session.get(emu.url("tickets/1/metrics.json"), timeout=10)
    session.get(emu.url("tickets/2/metrics.json"), timeout=10)
    session.get(emu.url("no/such/endpoint.json"), timeout=10)
    emu.control("GET", "health")
    stats = emu.control("GET", "stats")
    assert stats["requests_total"] == 7
    assert stats["by_endpoint"] == {"GET /api/v2/users/me.json": 3, "GET /api/v2/incremental/tickets/cursor.json": 1,
                                    "GET /api/v2/tickets/1/metrics.json": 1, "GET /api/v2/tickets/2/metrics.json": 1,
                                    "GET /api/v2/no/such/endpoint.json": 1}
    # Per route: the requests made once per record add up under one name; a path no route knows counts as itself.
    assert stats["by_route"] == {"GET users/me": 3, "GET incremental/tickets/cursor": 1, "GET tickets/{id}/metrics": 2,
                                 "GET /api/v2/no/such/endpoint.json": 1}
    assert stats["by_status"] == {"200": 5, "401": 1, "404": 1}
    assert emu.control("POST", "stats/reset")["requests_total"] == 0
    assert emu.control("GET", "stats") == {"requests_total": 0, "by_endpoint": {}, "by_route": {}, "by_status": {},
                                           "by_fault": {}, "by_minute": []}


def test_when_putting_settings_then_they_apply_and_get_returns_them(emu):
    emu.control("PUT", "settings", json={
        "plan": "team", "time_scale": 30, "fault_rate": 0.25, "faults": {"tickets": {"503": 0.5}},
        "forbidden": ["tags"], "slow_seconds": 2.5, "fault_sequence": {"*": ["504", "ok"]},
    })
    settings = emu.control("GET", "settings")
    assert settings["plan"] == "team" and settings["time_scale"] == 30 and settings["fault_rate"] == 0.25
    assert settings["faults"] == {"tickets": {"503": 0.5}} and settings["forbidden"] == ["tags"]
    assert settings["slow_seconds"] == 2.5 and settings["fault_sequence"] == {"*": ["504", "ok"]}
    assert emu.control("GET", "clock")["time_scale"] == 30
    assert emu.clock.time_scale == 30


@pytest.mark.parametrize("patch", [
    {"plan": "platinum"},
    {"time_scale": 0},
    {"time_scale": "fast"},
    {"fault_rate": 1.5},
    {"fault_rate": True},
    {"faults": {"tickets": {"418": 0.1}}},
    {"faults": {"tickets": {"500": 0.7, "503": 0.7}}},
    {"faults": ["500"]},
    {"forbidden": "tags"},
    {"slow_seconds": -1},
    {"fault_sequence": {"*": ["teapot"]}},
    {"fault_sequence": ["500"]},
    {"burst_length": 0},
    {"colour": "blue"},
    ["plan", "team"],
])
def test_given_bad_settings_when_putting_then_400_and_nothing_changes(emu, patch):
    emu.reset()
    before = emu.control("GET", "settings")
    response = _put(emu, patch)
    assert response.status_code == 400
    assert response.json()["error"]
    assert emu.control("GET", "settings") == before


def test_when_fault_sequence_is_consumed_then_settings_show_what_is_left(session, emu):
    emu.control("PUT", "settings", json={"fault_sequence": {"users/me": ["500", "503", "ok"]}})
    session.get(emu.url("users/me.json"), timeout=10)
    assert emu.control("GET", "settings")["fault_sequence"] == {"users/me": ["503", "ok"]}


def test_when_mutating_then_account_changes_show_in_truth_and_api(session, emu):
    before = emu.control("GET", "truth/tickets")
    assert [t["id"] for t in before] == list(range(1, 21))
    summary = emu.control("POST", "mutate", json={"resource": "tickets", "create": 2, "update": 1, "delete": 1})
    assert summary == {"resource": "tickets", "created": [21, 22], "updated": [1], "deleted": [22]}
    after = emu.control("GET", "truth/tickets")
    assert [t["id"] for t in after] == list(range(1, 22))
    listed = session.get(emu.url("tickets.json?per_page=100"), timeout=10).json()
    assert listed["count"] == 21


@pytest.mark.parametrize("method, path, body, status", [
    ("GET", "truth/unicorns", None, 404),
    ("POST", "mutate", {"resource": "unicorns", "create": 1}, 404),
    ("POST", "mutate", {"resource": "tickets", "create": -1}, 400),
    ("POST", "mutate", {"resource": "tickets", "create": "2"}, 400),
    ("POST", "mutate", {"create": 1}, 400),
    ("POST", "mutate", {"resource": "tickets", "deactivate": -1}, 400),
    ("POST", "mutate", {"resource": "tickets", "deactivate": 1}, 400),  # the account's ValueError, passed on
    ("POST", "clock/advance", {"seconds": -5}, 400),
    ("GET", "nope", None, 404),
    ("DELETE", "stats", None, 404),
])
def test_given_bad_control_calls_then_4xx(emu, method, path, body, status):
    response = _direct(method, f"{emu.info['control_url']}/{path}", json=body)
    assert response.status_code == status
    assert "error" in response.json()


def test_when_advancing_the_clock_then_emulated_time_jumps(emu):
    before = emu.control("GET", "clock")["now"]
    after = emu.control("POST", "clock/advance", json={"seconds": 3600})["now"]
    assert 3600 <= after - before < 3660


def test_when_asking_health_and_info_then_they_describe_the_running_emulator(emu):
    assert emu.control("GET", "health")["subdomain"] == "acme"
    assert emu.control("GET", "info")["proxy_url"] == emu.info["proxy_url"]


def test_when_control_client_gets_an_error_then_it_raises_with_the_status(emu):
    with pytest.raises(EmulatorError, match="404"):
        emu.control("GET", "truth/unicorns")
