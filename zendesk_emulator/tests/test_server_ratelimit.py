"""Account-wide and incremental-export limits per plan, their headers and 429s, on the emulated clock."""

from __future__ import annotations

import json

import pytest

from zendesk_emulator.clock import Clock
from zendesk_emulator.ratelimit import RateLimiter
from zendesk_emulator.testing import serve_in_thread
from zendesk_emulator.tests.fake_account import FakeAccount, Sizes

EXPORT_429 = {"error": "APIRateLimitExceeded",
              "description": "Number of allowed incremental export API requests per minute exceeded"}


@pytest.fixture(scope="module")
def emu():
    with serve_in_thread(FakeAccount, sizes=Sizes(tickets=10)) as running:
        yield running


@pytest.fixture
def session(emu):
    emu.reset()
    _start_of_minute(emu)
    with emu.session() as session:
        session.auth = emu.api_token_auth()
        yield session


def _start_of_minute(emu) -> None:
    """Jump to just after an emulated minute boundary so a whole window lies ahead of the test."""
    now = emu.control("GET", "clock")["now"]
    emu.control("POST", "clock/advance", json={"seconds": 60 - now % 60 + 0.01})


def _me(session, emu):
    return session.get(emu.url("users/me.json"), timeout=10)


def _export(session, emu):
    return session.get(emu.url("incremental/tickets/cursor.json?start_time=0"), timeout=10)


def test_when_calling_api_then_every_response_carries_rate_limit_headers(session, emu):
    first, second = _me(session, emu), _export(session, emu)
    assert first.headers["X-Rate-Limit"] == first.headers["ratelimit-limit"] == "700"
    assert first.headers["X-Rate-Limit-Remaining"] == first.headers["ratelimit-remaining"] == "699"
    assert second.headers["X-Rate-Limit-Remaining"] == "698"
    assert 55 <= int(first.headers["ratelimit-reset"]) <= 60


def test_given_team_plan_when_201st_request_in_a_minute_then_plain_text_429_until_the_minute_passes(session, emu):
    emu.control("PUT", "settings", json={"plan": "team"})
    for _ in range(200):
        assert _me(session, emu).status_code == 200
    refused = _me(session, emu)
    assert refused.status_code == 429
    assert refused.text == "Number of allowed API requests per minute exceeded"
    assert refused.headers["Content-Type"].startswith("text/plain")
    assert 55 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-Rate-Limit-Remaining"] == "0"
    emu.control("POST", "clock/advance", json={"seconds": 60})
    assert _me(session, emu).status_code == 200
    stats = emu.control("GET", "stats")
    assert stats["by_status"] == {"200": 201, "429": 1}


def test_given_export_limit_when_11th_export_in_a_minute_then_json_429_while_other_routes_still_work(session, emu):
    for _ in range(10):
        assert _export(session, emu).status_code == 200
    refused = _export(session, emu)
    assert refused.status_code == 429
    assert refused.json() == EXPORT_429
    assert int(refused.headers["Retry-After"]) >= 1
    assert _me(session, emu).status_code == 200


def test_given_high_volume_plan_then_30_exports_per_minute(session, emu):
    emu.control("PUT", "settings", json={"plan": "high-volume"})
    assert all(_export(session, emu).status_code == 200 for _ in range(30))
    assert _export(session, emu).status_code == 429
    assert _me(session, emu).headers["X-Rate-Limit"] == "2500"


def test_given_fast_time_scale_when_limited_then_retry_after_is_in_real_seconds(session, emu):
    emu.control("PUT", "settings", json={"time_scale": 60})
    _start_of_minute(emu)
    emu.control("PUT", "settings", json={"plan": "team"})
    responses = [_export(session, emu) for _ in range(11)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited, "the 11th export within one emulated minute must be refused"
    assert limited[0].headers["Retry-After"] == "1"  # a 60 s window lasts one real second at time_scale 60


def test_given_unlimited_plan_then_never_429(session, emu):
    emu.control("PUT", "settings", json={"plan": "unlimited"})
    statuses = {_export(session, emu).status_code for _ in range(40)}
    assert statuses == {200}


class _FrozenClock(Clock):
    def __init__(self, now: float):
        super().__init__(anchor=now)
        self.value = now

    def now(self) -> float:
        return self.value


def test_given_fixed_minute_windows_then_counts_reset_on_the_boundary_and_refusals_are_not_counted():
    clock = _FrozenClock(1_000_000 * 60 + 50.0)  # 10 s before a boundary
    limiter = RateLimiter(clock)
    assert [limiter.check(2, None, False).allowed for _ in range(3)] == [True, True, False]
    refused = limiter.check(2, None, False)
    assert (refused.exceeded, refused.retry_after, refused.headers["ratelimit-reset"]) == ("account", 10, "10")
    clock.value += 10
    decision = limiter.check(2, None, False)
    assert decision.allowed and decision.headers["X-Rate-Limit-Remaining"] == "1"


def test_given_export_refused_then_it_does_not_use_the_account_budget():
    limiter = RateLimiter(_FrozenClock(120.0))
    assert limiter.check(5, 1, True).allowed
    refused = limiter.check(5, 1, True)
    assert refused.exceeded == "export"
    assert json.loads(refused.too_many_requests().body) == EXPORT_429
    assert limiter.check(5, 1, False).headers["X-Rate-Limit-Remaining"] == "3"
