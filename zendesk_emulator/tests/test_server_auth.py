"""API token and OAuth bearer auth, the refresh-token grant (rotation, expiry), plan 403s."""

from __future__ import annotations

import base64

import pytest

from zendesk_emulator.auth import Credentials
from zendesk_emulator.testing import serve_in_thread
from zendesk_emulator.tests.fake_account import FakeAccount

BASIC_401 = {"error": "Couldn't authenticate you"}
BEARER_401 = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons.",
}


@pytest.fixture(scope="module")
def emu():
    with serve_in_thread(FakeAccount, seed=7, settings={"plan": "unlimited"}) as running:
        yield running


@pytest.fixture
def session(emu):
    emu.reset()
    with emu.session() as session:
        yield session


@pytest.fixture
def oauth(emu):
    return emu.info["oauth_config"]["credentials"]


def _me(session, emu, **kwargs):
    return session.get(emu.url("users/me.json"), timeout=10, **kwargs)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _refresh(session, oauth, refresh_token: str, as_json: bool = False, **extra):
    body = {"grant_type": "refresh_token", "client_id": oauth["client_id"], "client_secret": oauth["client_secret"],
            "refresh_token": refresh_token, **extra}
    sent = {"json": body} if as_json else {"data": body}
    return session.post("https://acme.zendesk.com/oauth/tokens", timeout=10, **sent)


def test_given_api_token_when_calling_api_then_user_is_the_account_owner(session, emu):
    response = _me(session, emu, auth=emu.api_token_auth())
    assert response.status_code == 200
    assert response.json()["user"]["id"] == emu.account.admin_user_id


def test_given_email_in_other_case_when_using_api_token_then_accepted(session, emu):
    user, token = emu.api_token_auth()
    assert _me(session, emu, auth=(user.upper().replace("/TOKEN", "/token"), token)).status_code == 200


@pytest.mark.parametrize("header", [
    None,
    "Basic " + base64.b64encode(b"owner-7@acme.example.com/token:wrong").decode(),
    "Basic " + base64.b64encode(b"someone@else.com/token:x").decode(),
    "Basic not-base64!!",
    "Token abc",
])
def test_given_bad_or_missing_basic_credentials_when_calling_api_then_401_couldnt_authenticate(session, emu, header):
    response = _me(session, emu, headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json() == BASIC_401


def test_given_static_access_token_when_calling_api_then_accepted_and_never_expires(session, emu):
    token = emu.info["oauth_access_config"]["credentials"]["access_token"]
    assert _me(session, emu, headers=_bearer(token)).status_code == 200
    emu.control("POST", "clock/advance", json={"seconds": 400 * 86400})
    assert _me(session, emu, headers=_bearer(token)).status_code == 200


def test_given_unknown_bearer_when_calling_api_then_401_invalid_token(session, emu):
    response = _me(session, emu, headers=_bearer("emu-access-nope"))
    assert response.status_code == 401
    assert response.json() == BEARER_401


@pytest.mark.parametrize("as_json", [False, True])
def test_when_refreshing_then_tokens_rotate_and_old_ones_stop_working(as_json, oauth):
    with serve_in_thread(FakeAccount, seed=7) as emu, emu.session() as session:
        first = _refresh(session, oauth, oauth["refresh_token"], as_json=as_json)
        assert first.status_code == 200
        grant = first.json()
        assert set(grant) == {"access_token", "refresh_token", "token_type", "scope", "expires_in",
                              "refresh_token_expires_in"}
        assert (grant["token_type"], grant["expires_in"], grant["refresh_token_expires_in"]) == ("bearer", 1800, 2592000)
        assert grant["refresh_token"] != oauth["refresh_token"]
        assert _me(session, emu, headers=_bearer(grant["access_token"])).status_code == 200

        reused = _refresh(session, oauth, oauth["refresh_token"], as_json=as_json)
        assert reused.status_code == 400
        assert reused.json()["error"] == "invalid_grant"

        second = _refresh(session, oauth, grant["refresh_token"], as_json=as_json).json()
        assert second["access_token"] != grant["access_token"]
        assert _me(session, emu, headers=_bearer(grant["access_token"])).json() == BEARER_401
        assert _me(session, emu, headers=_bearer(second["access_token"])).status_code == 200


def test_given_access_token_when_its_lifetime_passes_on_the_emulated_clock_then_401_and_refresh_recovers(oauth):
    with serve_in_thread(FakeAccount, seed=7, settings={"oauth_access_ttl": 600}) as emu, emu.session() as session:
        grant = _refresh(session, oauth, oauth["refresh_token"]).json()
        assert grant["expires_in"] == 600
        emu.control("POST", "clock/advance", json={"seconds": 590})
        assert _me(session, emu, headers=_bearer(grant["access_token"])).status_code == 200
        emu.control("POST", "clock/advance", json={"seconds": 20})
        expired = _me(session, emu, headers=_bearer(grant["access_token"]))
        assert (expired.status_code, expired.json()) == (401, BEARER_401)
        fresh = _refresh(session, oauth, grant["refresh_token"]).json()
        assert _me(session, emu, headers=_bearer(fresh["access_token"])).status_code == 200


def test_given_requested_lifetimes_when_refreshing_then_they_apply_and_out_of_range_is_rejected(oauth):
    with serve_in_thread(FakeAccount, seed=7) as emu, emu.session() as session:
        bad = _refresh(session, oauth, oauth["refresh_token"], expires_in=10)
        assert (bad.status_code, bad.json()["error"]) == (400, "invalid_request")
        grant = _refresh(session, oauth, oauth["refresh_token"], expires_in=300, refresh_token_expires_in=604800).json()
        assert (grant["expires_in"], grant["refresh_token_expires_in"]) == (300, 604800)
        emu.control("POST", "clock/advance", json={"seconds": 604800})
        stale = _refresh(session, oauth, grant["refresh_token"])
        assert (stale.status_code, stale.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize("change, status, error", [
    ({"client_secret": "wrong"}, 401, "invalid_client"),
    ({"client_id": "someone-else"}, 401, "invalid_client"),
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
])
def test_given_bad_client_or_grant_when_refreshing_then_oauth_error(session, oauth, change, status, error):
    body = {"grant_type": "refresh_token", "client_id": oauth["client_id"], "client_secret": oauth["client_secret"],
            "refresh_token": "whatever", **change}
    response = session.post("https://acme.zendesk.com/oauth/tokens", data=body, timeout=10)
    assert (response.status_code, response.json()["error"]) == (status, error)


def test_given_client_credentials_in_basic_header_when_refreshing_then_accepted(session, oauth):
    response = session.post(
        "https://acme.zendesk.com/oauth/tokens",
        data={"grant_type": "refresh_token", "refresh_token": "not-issued"},
        auth=(oauth["client_id"], oauth["client_secret"]),
        timeout=10,
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")  # client accepted, grant not


def test_given_same_seed_then_same_credentials_and_other_seed_differs():
    assert Credentials.derive(7, "a@b.c") == Credentials.derive(7, "a@b.c")
    first, other = Credentials.derive(7, "a@b.c"), Credentials.derive(8, "a@b.c")
    assert first.api_token != other.api_token and first.refresh_token != other.refresh_token
    assert first.client_secret != other.client_secret and first.static_access_token != other.static_access_token


def test_given_route_forbidden_by_plan_when_called_then_zendesk_403_body(session, emu):
    emu.control("PUT", "settings", json={"forbidden": ["tickets/{id}/metrics"]})
    response = session.get(emu.url("tickets/3/metrics.json"), auth=emu.api_token_auth(), timeout=10)
    assert response.status_code == 403
    assert response.json() == {"error": {
        "title": "Forbidden",
        "message": "You do not have access to this page. Please contact the account owner of this help desk for further help.",
    }}
    assert _me(session, emu, auth=emu.api_token_auth()).status_code == 200


def test_given_wrong_credentials_then_401_still_carries_rate_limit_headers(session, emu):
    response = _me(session, emu, auth=("x/token", "y"))
    assert response.status_code == 401
    assert "X-Rate-Limit" in response.headers and "ratelimit-reset" in response.headers
