"""check: one cheap request, and a distinct message telling the user what to fix for each way it can fail."""

from __future__ import annotations

import pytest

from .harness import access_token_config, api_token_config, launch_messages
from .zendesk_http import ZendeskRequest, ZendeskResponse, connection_error, template


def _status(messages: list[dict]) -> dict:
    (status,) = [m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS"]
    return status


def _me(role: str = "admin", **user) -> ZendeskResponse:
    body = template("users_me")
    body["user"].update(role=role, **user)
    return ZendeskResponse.ok(body)


def test_given_an_admin_when_check_then_succeeded_with_exactly_one_request(zendesk, capsys, tmp_path):
    zendesk.expect(ZendeskRequest.me(), _me())

    status = _status(launch_messages(capsys, tmp_path, "check", api_token_config()))

    assert status == {"status": "SUCCEEDED"}
    assert len(zendesk.history) == 1


FAILURES = {
    "wrong credentials": ([ZendeskResponse.unauthorized()], "Zendesk rejected the credentials"),
    "anonymous user": ([ZendeskResponse.ok(template("users_me_anonymous"))], "Zendesk rejected the credentials"),
    "unknown subdomain": ([ZendeskResponse.no_help_desk()], "No Zendesk account at acme.zendesk.com"),
    "forbidden": ([ZendeskResponse.forbidden()], "The Zendesk user lacks the permissions"),
    "end-user": ([_me(role="end-user")], "The Zendesk user lacks the permissions"),
    "agent": ([_me(role="agent")], "The Zendesk user lacks the permissions"),
    "unreachable host": ([ZendeskResponse.failure(connection_error())], "Could not reach acme.zendesk.com"),
}


@pytest.mark.parametrize("responses, message", FAILURES.values(), ids=FAILURES.keys())
def test_given_a_failure_when_check_then_failed_with_a_message_saying_what_to_fix(
    responses, message, zendesk, capsys, tmp_path
):
    zendesk.expect(ZendeskRequest.me(), *responses)

    status = _status(launch_messages(capsys, tmp_path, "check", api_token_config()))

    assert status["status"] == "FAILED"
    assert status["message"].startswith(message)
    assert len(zendesk.history) == 1  # no retries: each of these is for the user to fix


def test_given_the_four_kinds_of_failure_then_their_messages_are_distinct(zendesk, capsys, tmp_path):
    messages = set()
    for response in (ZendeskResponse.unauthorized(), ZendeskResponse.no_help_desk(), ZendeskResponse.forbidden(),
                     ZendeskResponse.failure(connection_error())):  # fmt: skip
        zendesk.expect(ZendeskRequest.me(), response)
        messages.add(_status(launch_messages(capsys, tmp_path, "check", api_token_config()))["message"])
    assert len(messages) == 4


def test_given_a_503_then_success_when_check_then_retried_and_succeeded(zendesk, capsys, tmp_path, sleeps):
    zendesk.expect(ZendeskRequest.me(), ZendeskResponse.server_error(503), _me())

    assert _status(launch_messages(capsys, tmp_path, "check", api_token_config()))["status"] == "SUCCEEDED"
    assert sleeps == [2.0]


def test_given_api_token_when_check_then_basic_auth_with_the_token_suffix_and_a_retirement_warning(
    zendesk, capsys, tmp_path
):
    zendesk.expect(ZendeskRequest.me(), _me())

    messages = launch_messages(capsys, tmp_path, "check", api_token_config())

    # base64("ada@acme.com/token:tok-unit-test-1")
    assert zendesk.history[0].headers["Authorization"] == "Basic YWRhQGFjbWUuY29tL3Rva2VuOnRvay11bml0LXRlc3QtMQ=="
    warns = [m["log"]["message"] for m in messages if m["type"] == "LOG" and m["log"]["level"] == "WARN"]
    assert any("2026-10-27" in w and "2027-04-30" in w for w in warns)


def test_given_an_oauth_access_token_when_check_then_bearer_auth_and_no_retirement_warning(zendesk, capsys, tmp_path):
    zendesk.expect(ZendeskRequest.me(), _me())

    messages = launch_messages(capsys, tmp_path, "check", access_token_config("oauth-access-1"))

    assert zendesk.history[0].headers["Authorization"] == "Bearer oauth-access-1"
    assert not [m for m in messages if m["type"] == "LOG" and "2027-04-30" in m["log"]["message"]]
