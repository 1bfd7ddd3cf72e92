"""rate_limit_percent: the connector spends only its share of the account's per-minute limit and of the export limit;
100 (the default) paces exactly as before the setting existed."""

from __future__ import annotations

import logging

import pytest
from airbyte_cdk.models import FailureType

from source_zendesk_support.config import parse_config
from source_zendesk_support.pacing import Pacer

from .harness import NOW_TS, START, api_token_config, error_traces, read, records_of
from .stream_cases import BY_NAME
from .test_pacing import EXPORT, LIST, Clock, Waits, _plan, _request, _send
from .zendesk_http import ZendeskResponse

CREDENTIALS = {"credentials": "api_token", "email": "ada@acme.com", "api_token": "tok"}


@pytest.mark.parametrize("given, expected", [(None, 100), ("", 100), (100, 100), (50, 50), (1, 1), ("25", 25),
                                             (" 75 ", 75), (40.0, 40)])  # fmt: skip
def test_given_an_accepted_share_when_parsed_then_a_whole_percentage(given, expected):
    raw = {"subdomain": "acme", "credentials": CREDENTIALS}
    if given is not None:
        raw["rate_limit_percent"] = given
    assert parse_config(raw, NOW_TS).rate_limit_percent == expected


@pytest.mark.parametrize("share", [0, 101, -5, 50.5, "half", "0.5", True, [50], {"value": 50}, "1" * 500])
def test_given_a_bad_share_when_read_then_config_error_naming_the_field_and_no_request(share, zendesk):
    output = read(api_token_config(rate_limit_percent=share), ["tags"], expect_failure=True)

    traces = error_traces(output)
    assert traces and traces[-1].failure_type == FailureType.config_error
    assert "'rate_limit_percent'" in traces[0].message and "1 to 100" in traces[0].message
    assert len(traces[0].message) < 300


# -- the pacer ------------------------------------------------------------------------------------------------------
def _pacer(clock: Clock, waits: Waits, share: int) -> Pacer:
    return Pacer(waits, logging.getLogger("test"), clock=clock, share=share)


def test_given_half_the_limit_when_the_share_is_spent_then_the_next_request_waits_for_the_minutes_end():
    clock = Clock()
    waits = Waits(clock)
    pacer = _pacer(clock, waits, share=50)
    for _ in range(100):
        _send(pacer, clock, LIST, _plan(limit=200, remaining=150), seconds=0.01, minute_ends=1030.0)
    assert waits.paused == []

    pacer.acquire_call(_request(LIST))

    (wait, reason), = waits.paused
    assert clock.now - wait < 1030.0 <= clock.now  # it went once the minute was surely over, not before
    assert reason == "Pacing to 100 of the account's 200 requests a minute (rate_limit_percent 50)"


def test_given_the_whole_limit_then_only_the_remaining_count_paces_as_before():
    clock = Clock()
    waits = Waits(clock)
    pacer = _pacer(clock, waits, share=100)
    for _ in range(150):
        _send(pacer, clock, LIST, _plan(limit=200, remaining=150), seconds=0.01, minute_ends=1030.0)
    assert waits.paused == []


@pytest.mark.parametrize("share, budget", [(50, 5), (25, 2), (1, 1), (100, 10)])
def test_given_a_share_then_exports_are_held_to_that_share_of_ten_and_at_least_one(share, budget):
    clock = Clock()
    waits = Waits(clock)
    pacer = _pacer(clock, waits, share=share)
    for _ in range(budget):
        _send(pacer, clock, EXPORT, _plan(limit=700, remaining=600))
    assert waits.paused == []

    pacer.acquire_call(_request(EXPORT))

    assert len(waits.paused) == 1 and f"{budget} " in waits.paused[0][1]


def test_given_a_share_when_requests_are_in_flight_at_the_minutes_end_then_they_count_in_the_next_minute_too():
    clock = Clock()
    waits = Waits(clock)
    pacer = _pacer(clock, waits, share=1)  # 2 of 200 a minute
    _send(pacer, clock, LIST, _plan(limit=200, remaining=190), minute_ends=1030.0)
    late = _request(LIST)
    pacer.acquire_call(late)  # its answer comes after the minute may have ended: it may count in the next one

    pacer.acquire_call(_request(LIST))  # waits for the minute's end, then goes: with the late one, the new minute's 2
    assert len(waits.paused) == 1
    pacer.update_from_response(late, _response_at(clock, minute_ends=1090.0))

    pacer.acquire_call(_request(LIST))

    assert len(waits.paused) == 2


def _response_at(clock: Clock, minute_ends: float):
    from .test_pacing import _response

    return _response(**_plan(limit=200, remaining=190), **{"ratelimit-reset": str(int(minute_ends - clock.now))})


def test_given_a_share_before_any_response_then_requests_are_counted_in_a_sliding_minute():
    clock = Clock()
    waits = Waits(clock)
    pacer = _pacer(clock, waits, share=1)
    _send(pacer, clock, LIST, _plan(limit=200, remaining=190), seconds=1.0, minute_ends=None)
    _send(pacer, clock, LIST, _plan(limit=200, remaining=190), seconds=1.0, minute_ends=None)

    pacer.acquire_call(_request(LIST))

    assert [seconds for seconds, _ in waits.paused] == [pytest.approx(58.0)]  # the first went at 1000, now is 1002


def test_given_a_server_without_limits_and_a_share_then_nothing_waits():
    clock = Clock()
    waits = Waits(clock)
    pacer = _pacer(clock, waits, share=10)
    for _ in range(300):
        _send(pacer, clock, LIST, _plan(limit=1_000_000, remaining=999_000), seconds=0.001)
    assert waits.paused == []


# -- through the entrypoint -----------------------------------------------------------------------------------------
PAGES = [[(1, START)], [(2, START + 1)], [(3, START + 2)]]


def _expect_tags_with_headers(zendesk, limit: int) -> None:
    for request, body in BY_NAME["tags"].script(START, PAGES):
        ok = ZendeskResponse.ok(body)
        headers = {**ok.headers, "X-Rate-Limit": str(limit), "X-Rate-Limit-Remaining": str(limit - 1),
                   "ratelimit-reset": "30"}
        zendesk.expect(request, ZendeskResponse(200, ok.body, headers))


@pytest.mark.parametrize("share, waited_after", [(5, ["tags 1 record; 1 record in all.", "tags 2 records; 2 records in all."]),
                                                 (None, [])], ids=["5%", "default"])
def test_given_a_share_when_a_list_spends_it_then_the_sync_waits_for_the_next_minute_and_is_complete(
        share, waited_after, zendesk, sleeps):
    _expect_tags_with_headers(zendesk, limit=30)  # an account of 30 requests a minute: 1 at 5%
    config = api_token_config() if share is None else api_token_config(rate_limit_percent=share)

    output = read(config, ["tags"])

    assert [r["name"] for r in records_of(output, "tags")] == BY_NAME["tags"].ids([item for page in PAGES for item in page])
    pacing = [m.log.message for m in output.logs if "Pacing" in m.log.message]
    # Before the second page and before the third (each wait logs once per heartbeat, saying the progress).
    assert sorted({line.split("Progress: ")[1] for line in pacing}) == waited_after and bool(sleeps) == bool(share)
    assert all("Pacing to 1 of the account's 30 requests a minute (rate_limit_percent 5)" in line for line in pacing)
