"""The transport in front of the real ZendeskAccount: the contract seen end to end through the proxy."""

from __future__ import annotations

import calendar
import time

import pytest

from zendesk_emulator.account import Sizes, ZendeskAccount
from zendesk_emulator.testing import EmulatorProcess, serve_in_thread

EXPORT_ROUTE = "incremental/tickets/cursor"


@pytest.fixture(scope="module")
def emu():
    with serve_in_thread(ZendeskAccount, seed=3, sizes=Sizes(tickets=300)) as running:
        yield running


def _export_url(emu) -> str:
    start = calendar.timegm(time.strptime(emu.info["config"]["start_date"], "%Y-%m-%dT%H:%M:%SZ"))
    return emu.url(f"incremental/tickets/cursor.json?start_time={start}&per_page=1000")


def test_given_real_account_when_reading_the_export_through_the_proxy_then_pages_link_back_to_zendesk(session, emu):
    first = session.get(_export_url(emu), timeout=30)
    assert first.status_code == 200
    page = first.json()
    assert page["tickets"], "the export of a 300-ticket account is not empty"
    assert page["after_url"].startswith("https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json")
    assert first.headers["X-Rate-Limit"] == "700"
    stats = emu.control("GET", "stats")
    assert stats["by_endpoint"] == {"GET /api/v2/incremental/tickets/cursor.json": 1}


def test_given_real_account_then_both_credential_kinds_reach_users_me(session, emu):
    me = session.get(emu.url("users/me.json"), timeout=30)
    assert me.status_code == 200
    assert me.json()["user"]["id"] == emu.account.admin_user_id
    token = emu.info["oauth_access_config"]["credentials"]["access_token"]
    bearer = session.get(emu.url("users/me.json"), headers={"Authorization": f"Bearer {token}"}, auth=None, timeout=30)
    assert bearer.status_code == 200


def test_given_real_account_then_export_limit_applies_to_its_export_routes(session, emu):
    statuses = [session.get(_export_url(emu), timeout=30).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert session.get(emu.url("users/me.json"), timeout=30).status_code == 200


def test_given_real_account_then_faults_and_plan_settings_address_its_route_names(session, emu):
    assert emu.account.route_name("GET", "/api/v2/incremental/tickets/cursor.json") == EXPORT_ROUTE
    emu.control("PUT", "settings", json={"fault_sequence": {EXPORT_ROUTE: ["504"]}, "forbidden": ["users/me"]})
    assert session.get(_export_url(emu), timeout=30).text == "upstream request timeout"
    assert session.get(emu.url("users/me.json"), timeout=30).status_code == 403


def test_given_real_account_then_mutate_and_truth_pass_through(session, emu):
    before = emu.control("GET", "truth/tickets")
    assert isinstance(before, list) and before
    summary = emu.control("POST", "mutate", json={"resource": "tickets", "create": 2})
    assert isinstance(summary, dict)
    assert len(emu.control("GET", "truth/tickets")) == len(before) + 2


def test_given_real_account_when_started_by_the_cli_then_info_counts_match_the_account():
    with EmulatorProcess(seed=3, tickets=200) as emu, emu.session() as session:
        counts = emu.info["counts"]
        assert counts["tickets"] >= 200
        response = session.get(emu.url("users/me.json"), auth=emu.api_token_auth(), timeout=30)
        assert response.status_code == 200
    assert emu.returncode == 0
