"""Each injected fault as a client sees it, fault mixes by rate, and determinism by seed."""

from __future__ import annotations

import base64
import re
import socket
import time

import pytest
import requests

from zendesk_emulator.faults import FaultPlanner
from zendesk_emulator.settings import FAULT_KINDS, Settings
from zendesk_emulator.testing import serve_in_thread
from zendesk_emulator.tests.fake_account import FakeAccount, Sizes

EXPORT = "incremental/tickets/cursor.json?start_time=0"
EXPORT_ROUTE = "incremental/tickets/cursor"


@pytest.fixture(scope="module")
def emu():
    settings = {"plan": "unlimited", "slow_seconds": 1.0, "burst_length": 1}
    with serve_in_thread(FakeAccount, sizes=Sizes(tickets=200), settings=settings) as running:
        yield running


@pytest.fixture
def session(emu):
    emu.reset()
    with emu.session() as session:
        session.auth = emu.api_token_auth()
        yield session


def _next(emu, *kinds, route: str = "*") -> None:
    emu.control("PUT", "settings", json={"fault_sequence": {route: list(kinds)}})


@pytest.mark.parametrize("kind, status, content_type, marker", [
    ("500", 500, "application/json", '"error": "InternalError"'),
    ("502", 502, "text/html", "<title>502 Bad Gateway</title>"),
    ("503", 503, "text/html", "<title>503 Service Temporarily Unavailable</title>"),
    ("504", 504, "text/plain", "upstream request timeout"),
    ("504_html", 504, "text/html", "<title>504 Gateway Time-out</title>"),
])
def test_given_status_fault_when_requesting_then_edge_body_and_connection_stays_usable(session, emu, kind, status,
                                                                                      content_type, marker):
    _next(emu, kind)
    response = session.get(emu.url(EXPORT), timeout=10)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith(content_type)
    assert marker in response.text
    assert session.get(emu.url(EXPORT), timeout=10).status_code == 200


def test_given_429_fault_on_export_then_json_body_with_retry_after(session, emu):
    _next(emu, "429")
    response = session.get(emu.url(EXPORT), timeout=10)
    assert response.status_code == 429
    assert response.json()["error"] == "APIRateLimitExceeded"
    assert response.headers["Retry-After"] == "1"
    assert response.headers["X-Rate-Limit-Remaining"] == "0"


def test_given_429_burst_on_other_route_then_run_of_plain_text_429s(session, emu):
    emu.control("PUT", "settings", json={"burst_length": 3, "fault_retry_after": 2, "faults": {"users/me": {"429": 1.0}}})
    responses = [session.get(emu.url("users/me.json"), timeout=10) for _ in range(3)]
    assert [r.status_code for r in responses] == [429, 429, 429]
    assert {r.text for r in responses} == {"Number of allowed API requests per minute exceeded"}
    assert {r.headers["Retry-After"] for r in responses} == {"2"}
    assert session.get(emu.url(EXPORT), timeout=10).status_code == 200  # other routes untouched


def test_given_reset_fault_then_client_sees_a_broken_connection_and_recovers(session, emu):
    _next(emu, "reset")
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        session.get(emu.url(EXPORT), timeout=10)
    assert session.get(emu.url(EXPORT), timeout=10).status_code == 200


def test_given_incomplete_fault_then_client_sees_incomplete_read(session, emu):
    _next(emu, "incomplete")
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        session.get(emu.url(EXPORT), timeout=10)


def test_given_truncate_fault_then_200_whose_json_is_cut(session, emu):
    _next(emu, "truncate")
    response = session.get(emu.url(EXPORT), timeout=10)
    assert response.status_code == 200
    assert "Content-Length" not in response.headers
    assert response.text.startswith('{"tickets": [')
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()


def test_given_slow_fault_then_client_times_out_and_next_request_is_fast(session, emu):
    _next(emu, "slow")
    started = time.perf_counter()
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(emu.url(EXPORT), timeout=0.3)
    assert time.perf_counter() - started < 0.9
    assert session.get(emu.url(EXPORT), timeout=10).status_code == 200


def test_given_slow_fault_and_patient_client_then_full_response_after_the_delay(session, emu):
    emu.control("PUT", "settings", json={"slow_seconds": 0.3})
    _next(emu, "slow")
    started = time.perf_counter()
    response = session.get(emu.url(EXPORT), timeout=10)
    assert response.status_code == 200 and len(response.json()["tickets"]) == 200
    assert time.perf_counter() - started >= 0.3


def test_given_fault_sequence_for_one_route_then_only_that_route_fails_in_that_order(session, emu):
    _next(emu, "503", "ok", "500", route=EXPORT_ROUTE)
    statuses = []
    for _ in range(4):
        statuses.append(session.get(emu.url("users/me.json"), timeout=10).status_code)
        statuses.append(session.get(emu.url(EXPORT), timeout=10).status_code)
    assert statuses == [200, 503, 200, 200, 200, 500, 200, 200]
    stats = emu.control("GET", "stats")
    assert stats["by_status"] == {"200": 6, "503": 1, "500": 1}


def test_given_full_fault_rate_then_control_routes_are_never_faulted(session, emu):
    emu.control("PUT", "settings", json={"fault_rate": 1.0, "slow_seconds": 0})
    for route in ("health", "stats", "settings", "clock", "truth/tickets"):
        emu.control("GET", route)  # raises on any error status
    assert emu.control("GET", "stats")["requests_total"] == 0


def test_given_global_rate_then_every_kind_shows_up_and_counts_in_stats(session, emu):
    emu.control("PUT", "settings", json={"fault_rate": 1.0, "slow_seconds": 0})
    for _ in range(80):
        try:
            session.get(emu.url("users/me.json"), timeout=5)
        except requests.exceptions.RequestException:
            pass
    stats = emu.control("GET", "stats")
    assert stats["requests_total"] == 80
    # Every injected kind is counted under its own name, status faults (504 and 504_html apart) as well as wire ones.
    assert set(stats["by_fault"]) == set(FAULT_KINDS)
    assert sum(stats["by_fault"].values()) == 80
    assert {"500", "502", "503", "504", "429"} <= set(stats["by_status"])


def _pattern(seed: int, rate: float = 0.3) -> list[int]:
    settings = {"plan": "unlimited", "faults": {"*": {"500": rate / 2, "503": rate / 2}}}
    with serve_in_thread(FakeAccount, seed=seed, settings=settings) as emu, emu.session() as session:
        session.auth = emu.api_token_auth()
        return [session.get(emu.url("users/me.json"), timeout=10).status_code for _ in range(40)]


def test_given_same_seed_then_same_faults_and_other_seed_differs():
    first, again, other = _pattern(3), _pattern(3), _pattern(4)
    assert first == again
    assert first != other
    assert {500, 503} <= set(first)


def test_given_stats_reset_then_the_fault_draw_starts_over(session, emu):
    emu.control("PUT", "settings", json={"faults": {"users/me": {"500": 0.5}}})
    first = [session.get(emu.url("users/me.json"), timeout=10).status_code for _ in range(20)]
    emu.control("POST", "stats/reset")
    again = [session.get(emu.url("users/me.json"), timeout=10).status_code for _ in range(20)]
    assert first == again and 500 in first and 200 in first


def test_given_rate_then_share_of_faults_is_close_to_it():
    planner = FaultPlanner(seed=11)
    settings = Settings(fault_rate=0.2, burst_length=1)  # a burst would add burst_length - 1 extra 429s per draw
    picks = [planner.pick("tickets", settings) for _ in range(5000)]
    share = sum(kind is not None for kind in picks) / len(picks)
    assert 0.17 < share < 0.23
    assert {kind for kind in picks if kind} == set(FAULT_KINDS)


def test_given_route_rates_then_they_replace_the_global_mix_for_that_route_only():
    planner = FaultPlanner(seed=5)
    settings = Settings(fault_rate=1.0, faults={"tickets": {"504": 0.5}}, burst_length=1)
    tickets = {planner.pick("tickets", settings) for _ in range(200)}
    others = {planner.pick("users", settings) for _ in range(200)}
    assert tickets == {"504", None}
    assert None not in others and len(others) == len(FAULT_KINDS)


def _raw_get(emu, path: str) -> tuple[bytes, bytes, BaseException | None]:
    """One GET over a raw socket: (head, body received, error that ended the read)."""
    user, token = emu.api_token_auth()
    auth = base64.b64encode(f"{user}:{token}".encode()).decode()
    request = f"GET {path} HTTP/1.1\r\nHost: acme.zendesk.com\r\nAuthorization: Basic {auth}\r\n\r\n".encode()
    received, error = b"", None
    with socket.create_connection(emu.server.server_address[:2], timeout=5) as sock:
        sock.sendall(request)
        time.sleep(0.1)  # let the whole broken response (and the RST) arrive before reading
        try:
            while chunk := sock.recv(1 << 20):
                received += chunk
        except OSError as raised:
            error = raised
    head, _, body = received.partition(b"\r\n\r\n")
    return head, body, error


@pytest.mark.parametrize("kind, declares_length, announces_close, error", [
    ("reset", True, False, ConnectionResetError),
    ("incomplete", True, False, None),
    ("truncate", False, True, None),
])
def test_given_broken_response_kinds_then_wire_shows_headers_half_a_body_and_the_close(emu, kind, declares_length,
                                                                                       announces_close, error):
    emu.reset()
    _next(emu, kind)
    head, body, raised = _raw_get(emu, "/api/v2/incremental/tickets/cursor.json?start_time=0")
    assert head.startswith(b"HTTP/1.1 200 OK")
    lengths = re.findall(rb"Content-Length: (\d+)", head)
    assert bool(lengths) is declares_length
    if lengths:
        assert len(body) == int(lengths[0]) // 2
    assert (b"Connection: close" in head) is announces_close
    assert body.startswith(b'{"tickets": [') and len(body) > 1000
    assert type(raised) is error if error else raised is None


@pytest.mark.parametrize("query, rule, statuses", [
    ("", {"over": 250}, [504, 504]),  # no size asked: the export's default page of 1,000
    ("&per_page=500", {"over": 250}, [504, 504]),
    ("&per_page=250", {"over": 250}, [200, 200]),
    ("&per_page=1000", {"over": 250, "times": 1}, [504, 200]),  # a timeout that passes
])  # fmt: skip
def test_given_page_timeouts_then_export_pages_over_the_size_answer_504(session, emu, query, rule, statuses):
    emu.control("PUT", "settings", json={"page_timeouts": {"*": rule}})
    try:
        answers = [session.get(emu.url(EXPORT + query), timeout=10) for _ in statuses]
        other = session.get(emu.url("users/me.json"), timeout=10)
    finally:
        emu.control("PUT", "settings", json={"page_timeouts": {}})
    assert [r.status_code for r in answers] == statuses
    assert all(r.text == "upstream request timeout" for r in answers if r.status_code == 504)
    assert other.status_code != 504  # only exports time out


def test_given_a_page_timeout_rule_that_is_not_a_size_then_the_settings_refuse_it():
    for bad in ({"*": {"times": 1}}, {"*": {"over": 0}}, {"*": {"over": 250, "every": 2}}, {"*": 250}):
        with pytest.raises(ValueError, match="page_timeouts"):
            Settings().updated({"page_timeouts": bad})
