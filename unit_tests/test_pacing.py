"""The pacer: requests wait for Zendesk's next minute instead of running into 429s."""

from __future__ import annotations

import logging
import math

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from source_zendesk_support.pacing import ACCOUNT_RESERVE, Pacer, is_export

EXPORT = "https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=c"
LIST = "https://acme.zendesk.com/api/v2/ticket_audits.json?limit=1000"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Waits:
    """Records every pause and lets the fake clock move by it, as a real sleep would."""

    def __init__(self, clock: Clock, moves: bool = True) -> None:
        self.clock, self.moves, self.paused = clock, moves, []

    def pause(self, seconds: float, logger: logging.Logger, reason: str) -> None:
        self.paused.append((round(seconds, 3), reason))
        if self.moves:
            self.clock.now += seconds


def _request(url: str) -> requests.PreparedRequest:
    return requests.Request("GET", url).prepare()


def _response(status: int = 200, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    return response


def _plan(limit: int = 700, remaining: int = 600) -> dict[str, str]:
    return {"X-Rate-Limit": str(limit), "X-Rate-Limit-Remaining": str(remaining)}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def waits(clock: Clock) -> Waits:
    return Waits(clock)


@pytest.fixture
def pacer(clock: Clock, waits: Waits) -> Pacer:
    return Pacer(waits, logging.getLogger("test"), clock=clock)


def _send(pacer: Pacer, clock: Clock, url: str, headers: dict[str, str], seconds: float = 0.1,
          minute_ends: float | None = 1030.0, arrives_after: float | None = None) -> None:
    """One request answered `seconds` later with `headers`, and `ratelimit-reset` as Zendesk computes it when the
    request arrives (`arrives_after` seconds after it left; by default just before the answer): the whole seconds,
    rounded up, until the minute ends."""
    request = _request(url)
    pacer.acquire_call(request)
    arrival = clock.now + (seconds if arrives_after is None else arrives_after)
    clock.now += seconds
    if minute_ends is not None:
        headers = headers | {"ratelimit-reset": str(math.ceil(minute_ends - arrival))}
    pacer.update_from_response(request, _response(**headers))


def test_given_ten_exports_this_minute_when_the_eleventh_is_asked_then_it_waits_until_the_minute_has_surely_ended(
        pacer, clock, waits):
    for _ in range(10):
        # Sent at 1000.0, 1000.1 ... answered 0.1 s later; each reset bounds the end by response time + reset:
        # 1030.1 ... 1030.7, then 1029.8 (answered at 1000.8, reset 29), 1029.9, 1030.0
        _send(pacer, clock, EXPORT, _plan(), minute_ends=1029.75)

    pacer.acquire_call(_request(EXPORT))

    assert len(waits.paused) == 1
    seconds, reason = waits.paused[0]
    # The tightest upper bound: after the true end (1029.75), by less than a response's time (0.1 s)
    assert seconds == pytest.approx(1029.8 - 1001.0, abs=0.01) and "10 export requests a minute" in reason


def test_given_a_slow_server_when_the_minute_ends_then_no_export_is_let_go_before_it(pacer, clock, waits):
    # Each request reaches Zendesk 0.6 s after it left and comes back 0.1 s later: the send time plus the reset
    # would put the end 0.5 s early.
    for _ in range(10):
        _send(pacer, clock, EXPORT, _plan(), seconds=0.7, arrives_after=0.6, minute_ends=1030.5)

    pacer.acquire_call(_request(EXPORT))

    assert clock.now >= 1030.5


def test_given_an_export_in_flight_when_the_minute_ends_then_it_counts_in_the_next_minute_too(pacer, clock, waits):
    _send(pacer, clock, EXPORT, _plan(), minute_ends=1010.0)  # the minute ends in (1009.1, 1010.1]
    clock.now = 1009.6
    in_flight = [_request(EXPORT) for _ in range(9)]
    for request in in_flight:
        pacer.acquire_call(request)  # 10 this minute; none answered yet when the minute ends
    clock.now = 1010.2

    pacer.acquire_call(_request(EXPORT))  # with the 9 that may have arrived after the reset: 10
    assert waits.paused == []
    pacer.acquire_call(_request(EXPORT))
    assert len(waits.paused) == 1


def test_given_an_export_answered_before_the_minute_could_end_then_the_next_minute_does_not_count_it(
        pacer, clock, waits):
    for _ in range(10):
        _send(pacer, clock, EXPORT, _plan(), minute_ends=1010.0)  # all answered by 1001.0, long before the end
    clock.now = 1010.5

    for _ in range(10):
        pacer.acquire_call(_request(EXPORT))

    assert waits.paused == []


def test_given_a_response_about_a_minute_already_over_then_it_does_not_move_the_new_minute(pacer, clock, waits):
    late = _request(EXPORT)
    pacer.acquire_call(late)  # sent at 1000, reaches Zendesk at once, its response takes 15 s to come back
    clock.now = 1000.5
    _send(pacer, clock, LIST, _plan(), minute_ends=1010.0)
    clock.now = 1010.2  # a new minute, ending at 1070
    _send(pacer, clock, LIST, _plan(), minute_ends=1070.0)
    clock.now = 1015.0
    pacer.update_from_response(late, _response(**_plan(), **{"ratelimit-reset": "10"}))  # about the old minute

    for _ in range(9):
        pacer.acquire_call(_request(EXPORT))  # 9 + the late one, which may count in the new minute

    assert waits.paused == []
    pacer.acquire_call(_request(EXPORT))
    assert [round(clock.now)] == [1070]  # waited for the new minute's end, not the old one's


def test_given_an_export_that_never_got_a_response_then_it_counts_for_one_more_minute_at_most(pacer, clock, waits):
    _send(pacer, clock, EXPORT, _plan(), minute_ends=1010.0)
    lost = _request(EXPORT)
    pacer.acquire_call(lost)  # timed out: no response ever comes for it
    clock.now = 1010.2
    _send(pacer, clock, LIST, _plan(), minute_ends=1070.0)  # the next minute, in which it may still have arrived
    for _ in range(9):
        _send(pacer, clock, EXPORT, _plan(), minute_ends=1070.0)
    assert waits.paused == []
    pacer.acquire_call(_request(EXPORT))  # 9 + the lost one: the limit, so it waits for the minute after
    assert len(waits.paused) == 1 and clock.now >= 1070.0

    clock.now = 1075.0
    _send(pacer, clock, LIST, _plan(), minute_ends=1130.0)
    for _ in range(9):  # 1 sent at this minute's start + 9: the lost one no longer counts
        _send(pacer, clock, EXPORT, _plan(), minute_ends=1130.0)
    assert len(waits.paused) == 1


class Zendesk:
    """A server with fixed one-minute windows (offset from the client's clock), counting export requests."""

    def __init__(self, offset: float) -> None:
        self.offset, self.counts, self.refused = offset, {}, 0

    def answer(self, arrival: float) -> str:
        window = math.floor((arrival - self.offset) / 60)
        self.counts[window] = self.counts.get(window, 0) + 1
        if self.counts[window] > 10:
            self.refused += 1
        return str(math.ceil((window + 1) * 60 + self.offset - arrival))


@settings(max_examples=60, deadline=None)
@given(offset=st.floats(0, 60), travel=st.lists(st.tuples(st.floats(0, 1.5), st.floats(0.01, 1.0)), min_size=35,
                                                 max_size=35))
def test_whatever_the_travel_times_exports_never_exceed_ten_in_a_zendesk_minute_and_go_soon_after_it(offset, travel):
    clock = Clock()
    waits = Waits(clock)
    pacer = Pacer(waits, logging.getLogger("test"), clock=clock)
    zendesk = Zendesk(offset)
    for there, back in travel:
        request = _request(EXPORT)
        pacer.acquire_call(request)
        clock.now += there
        reset = zendesk.answer(clock.now)
        clock.now += back
        pacer.update_from_response(request, _response(**_plan(), **{"ratelimit-reset": reset}))

    assert zendesk.refused == 0
    # 35 exports need 4 minutes (the first starts anywhere in one); each wait ends within the slowest response
    # plus the header's rounding of the minute's end, and the travel adds itself.
    slowest = max(there + back for there, back in travel)
    assert clock.now - 1000.0 <= 4 * 60 + 3 * (slowest + 1.0) + sum(there + back for there, back in travel)


def test_given_ten_exports_when_other_endpoints_are_asked_then_they_do_not_wait(pacer, clock, waits):
    for _ in range(10):
        _send(pacer, clock, EXPORT, _plan())

    pacer.acquire_call(_request(LIST))

    assert waits.paused == []


def test_given_no_reset_header_when_exports_are_asked_then_at_most_ten_go_in_any_sixty_seconds(pacer, clock, waits):
    for _ in range(10):
        _send(pacer, clock, EXPORT, _plan(), seconds=1.0, minute_ends=None)

    pacer.acquire_call(_request(EXPORT))

    assert [seconds for seconds, _ in waits.paused] == [pytest.approx(50.0)]  # the first went at 1000, now is 1010


def test_given_a_429_on_an_export_when_other_exports_are_asked_then_they_hold_until_retry_after_but_the_retry_goes(
        pacer, clock, waits):
    throttled = _request(EXPORT)
    pacer.acquire_call(throttled)
    pacer.update_from_response(throttled, _response(429, **{"Retry-After": "7"}))

    pacer.acquire_call(throttled)  # the CDK retries the same request after its own Retry-After wait
    assert waits.paused == []
    pacer.acquire_call(_request(EXPORT))
    assert [seconds for seconds, _ in waits.paused] == [7.0]
    pacer.acquire_call(_request(LIST))  # the account bucket was not the one that said 429
    assert len(waits.paused) == 1


def test_given_few_account_requests_left_when_more_are_asked_then_they_wait_for_the_next_minute(pacer, clock, waits):
    _send(pacer, clock, LIST, _plan(limit=200, remaining=ACCOUNT_RESERVE + 1), minute_ends=1020.0)
    pacer.acquire_call(_request(LIST))  # spends the last one above the reserve
    assert waits.paused == []

    pacer.acquire_call(_request(LIST))

    assert len(waits.paused) == 1 and "200 requests a minute" in waits.paused[0][1]


def test_given_the_high_volume_plan_then_thirty_exports_a_minute(pacer, clock, waits):
    for _ in range(30):
        _send(pacer, clock, EXPORT, _plan(limit=2500, remaining=2000))
    assert waits.paused == []
    pacer.acquire_call(_request(EXPORT))
    assert len(waits.paused) == 1 and "30 export requests" in waits.paused[0][1]


def test_given_a_server_without_limits_when_exports_are_asked_then_none_waits(pacer, clock, waits):
    for _ in range(50):
        _send(pacer, clock, EXPORT, _plan(limit=1_000_000, remaining=999_000))
    assert waits.paused == []


def test_given_sleep_does_not_move_the_clock_when_a_wait_ends_then_the_request_goes_instead_of_waiting_again(clock):
    waits = Waits(clock, moves=False)  # as in tests that replace time.sleep
    pacer = Pacer(waits, logging.getLogger("test"), clock=clock)
    for _ in range(10):
        _send(pacer, clock, EXPORT, _plan(), minute_ends=None)

    pacer.acquire_call(_request(EXPORT))

    assert len(waits.paused) == 1


def test_export_urls_are_the_incremental_ones():
    assert is_export(EXPORT) and is_export("https://acme.zendesk.com/api/v2/incremental/organizations.json")
    assert not is_export(LIST) and not is_export("https://acme.zendesk.com/api/v2/incremental")
