"""`GET /_emulator/stats` says what the rate limits counted in every emulated minute (by_minute), and the count
endpoints a connector asks for its row estimates are served and counted like any other request."""

from __future__ import annotations

import pytest

from zendesk_emulator.account import Sizes, ZendeskAccount
from zendesk_emulator.testing import serve_in_thread


@pytest.fixture(scope="module")
def emu():
    with serve_in_thread(ZendeskAccount, seed=5, sizes=Sizes(tickets=120)) as running:
        yield running


@pytest.fixture
def session(emu):
    emu.reset()
    with emu.session() as session:
        session.auth = emu.api_token_auth()
        yield session


def _minute_start(emu) -> int:
    """Jump to just after an emulated minute boundary; returns that minute's start."""
    now = emu.control("GET", "clock")["now"]
    emu.control("POST", "clock/advance", json={"seconds": 60 - now % 60 + 0.01})
    return int(emu.control("GET", "clock")["now"] // 60 * 60)


def _get(session, emu, path: str):
    return session.get(emu.url(path), timeout=30)


def test_given_requests_in_two_minutes_then_by_minute_counts_each_minutes_requests_and_exports(session, emu):
    first = _minute_start(emu)
    for path in ("users/me.json", "tickets/count.json", "incremental/tickets/cursor.json?start_time=0",
                 "incremental/organizations.json?start_time=0"):
        assert _get(session, emu, path).status_code == 200
    emu.control("POST", "clock/advance", json={"seconds": 60})
    assert _get(session, emu, "users/count.json").status_code == 200

    by_minute = emu.control("GET", "stats")["by_minute"]

    assert by_minute == [{"minute": first, "requests": 4, "exports": 2},
                         {"minute": first + 60, "requests": 1, "exports": 0}]


def test_given_refused_and_unauthenticated_requests_then_by_minute_counts_only_what_the_limits_counted(session, emu):
    emu.control("PUT", "settings", json={"plan": "team"})  # 10 exports a minute
    first = _minute_start(emu)
    statuses = [_get(session, emu, "incremental/tickets/cursor.json?start_time=0").status_code for _ in range(11)]
    anonymous = session.get(emu.url("users/me.json"), auth=("nobody@example.com/token", "wrong"), timeout=30)

    assert statuses == [200] * 10 + [429] and anonymous.status_code == 401
    assert emu.control("GET", "stats")["by_minute"] == [{"minute": first, "requests": 10, "exports": 10}]


def test_when_stats_are_reset_then_by_minute_starts_over_but_the_minutes_limit_still_holds(session, emu):
    emu.control("PUT", "settings", json={"plan": "team"})
    _minute_start(emu)
    for _ in range(10):
        _get(session, emu, "incremental/tickets/cursor.json?start_time=0")

    assert emu.control("POST", "stats/reset")["by_minute"] == []
    assert _get(session, emu, "incremental/tickets/cursor.json?start_time=0").status_code == 429


@pytest.mark.parametrize("resource", ["tickets", "users", "organizations"])
def test_count_endpoints_answer_zendesks_shape_and_spend_the_rate_limit(resource, session, emu):
    _minute_start(emu)
    before = _get(session, emu, "users/me.json")
    counted = _get(session, emu, f"{resource}/count.json")

    body = counted.json()
    assert counted.status_code == 200 and set(body) == {"count"} and set(body["count"]) == {"value", "refreshed_at"}
    assert isinstance(body["count"]["value"], int) and body["count"]["value"] > 0
    assert body["count"]["refreshed_at"].endswith("Z")
    assert int(counted.headers["X-Rate-Limit-Remaining"]) == int(before.headers["X-Rate-Limit-Remaining"]) - 1
    stats = emu.control("GET", "stats")
    assert stats["by_route"][f"GET {resource}/count"] == 1 and stats["by_minute"][-1]["requests"] == 2
