"""Authentication, and above all the OAuth refresh flow: Zendesk rotates both tokens on every refresh, so the new
pair must reach Airbyte (a CONNECTOR_CONFIG control message) or the next sync is locked out."""

from __future__ import annotations

from urllib.parse import parse_qs

from .harness import START, access_token_config, launch_messages, refresh_token_config
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskRequest, ZendeskResponse, template

TOKENS = template("oauth_token")


def _tags_page() -> dict:
    return BY_NAME["tags"].script(START, [[(1, START)]])[0][1]


def _controls(messages: list[dict]) -> list[dict]:
    return [m["control"]["connectorConfig"]["config"] for m in messages if m["type"] == "CONTROL"]


def _records(messages: list[dict]) -> list[dict]:
    return [m["record"]["data"] for m in messages if m["type"] == "RECORD"]


def test_given_a_refresh_token_when_read_then_refreshes_first_and_persists_the_rotated_pair(zendesk, capsys, tmp_path):
    zendesk.expect(ZendeskRequest.oauth_token(), ZendeskResponse.ok(TOKENS))
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.ok(_tags_page()))

    messages = launch_messages(capsys, tmp_path, "read", refresh_token_config(), streams=["tags"])

    token_request, api_request = zendesk.history
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.text) == {
        "grant_type": ["refresh_token"],
        "client_id": ["client-1"],
        "client_secret": ["secret-1"],
        "refresh_token": ["refresh-1"],
    }
    assert api_request.headers["Authorization"] == f"Bearer {TOKENS['access_token']}"
    (persisted,) = _controls(messages)
    assert persisted["credentials"]["refresh_token"] == TOKENS["refresh_token"]
    assert persisted["credentials"]["access_token"] == TOKENS["access_token"]
    assert persisted["credentials"]["token_expiry_date"].startswith("2024-06-01T00:30:00")  # now + expires_in
    assert persisted["subdomain"] == "acme" and persisted["start_date"] == refresh_token_config()["start_date"]
    assert len(_records(messages)) == 1


def test_given_an_unexpired_access_token_when_read_then_no_refresh(zendesk, capsys, tmp_path):
    config = refresh_token_config(access_token="still-good", token_expiry_date="2024-06-01T01:00:00+00:00")
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.ok(_tags_page()))

    messages = launch_messages(capsys, tmp_path, "read", config, streams=["tags"])

    assert zendesk.history[0].headers["Authorization"] == "Bearer still-good"
    assert _controls(messages) == []


def test_given_an_access_token_revoked_early_when_read_then_refreshed_once_and_retried(zendesk, capsys, tmp_path):
    config = refresh_token_config(access_token="revoked", token_expiry_date="2024-06-01T01:00:00+00:00")
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.unauthorized(), ZendeskResponse.ok(_tags_page()))
    zendesk.expect(ZendeskRequest.oauth_token(), ZendeskResponse.ok(TOKENS))

    messages = launch_messages(capsys, tmp_path, "read", config, streams=["tags"])

    assert [r.headers["Authorization"] for r in zendesk.requests_to(ZendeskRequest.list("tags"))] == [
        "Bearer revoked",
        f"Bearer {TOKENS['access_token']}",
    ]
    assert _controls(messages)[-1]["credentials"]["refresh_token"] == TOKENS["refresh_token"]
    assert len(_records(messages)) == 1


def test_given_a_used_refresh_token_when_read_then_config_error_asking_to_reauthenticate(zendesk, capsys, tmp_path):
    zendesk.expect(ZendeskRequest.oauth_token(), ZendeskResponse.error(400, "error_invalid_grant"))

    messages = launch_messages(capsys, tmp_path, "read", refresh_token_config(), streams=["tags"])

    errors = [m["trace"]["error"] for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert errors and errors[0]["failure_type"] == "config_error"
    assert "Re-authenticate" in errors[0]["message"]


def test_given_a_refresh_token_when_check_then_the_rotated_pair_is_persisted_too(zendesk, capsys, tmp_path):
    zendesk.expect(ZendeskRequest.oauth_token(), ZendeskResponse.ok(TOKENS))
    zendesk.expect(ZendeskRequest.me(), ZendeskResponse.ok(template("users_me")))

    messages = launch_messages(capsys, tmp_path, "check", refresh_token_config())

    assert [m["connectionStatus"]["status"] for m in messages if m["type"] == "CONNECTION_STATUS"] == ["SUCCEEDED"]
    assert _controls(messages)[0]["credentials"]["refresh_token"] == TOKENS["refresh_token"]


def test_given_every_stream_when_read_with_a_refresh_token_then_one_refresh_serves_them_all(zendesk, capsys, tmp_path):
    zendesk.expect(ZendeskRequest.oauth_token(), ZendeskResponse.ok(TOKENS))
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.ok(_tags_page()))
    groups = BY_NAME["groups"].script(START, [[(1, START + 10)]])[0]
    zendesk.expect(groups[0], ZendeskResponse.ok(groups[1]))

    messages = launch_messages(capsys, tmp_path, "read", refresh_token_config(), streams=["tags", "groups"])

    assert len(_controls(messages)) == 1
    assert len(_records(messages)) == 2


def test_given_an_access_token_when_read_then_bearer_auth(zendesk, capsys, tmp_path):
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.ok(_tags_page()))

    launch_messages(capsys, tmp_path, "read", access_token_config("oauth-access-9"), streams=["tags"])

    assert zendesk.history[0].headers["Authorization"] == "Bearer oauth-access-9"
