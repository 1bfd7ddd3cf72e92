"""No secret ever reaches a log, a trace or a connection status, whatever happens."""

from __future__ import annotations

import base64
import json

import pytest
from airbyte_cdk.models import AirbyteMessageSerializer, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read as entrypoint_read

from source_zendesk_support import SourceZendeskSupport

from .harness import START, api_token_config, launch_messages, refresh_token_config
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskRequest, ZendeskResponse, template

API_TOKEN = "SEKRET-api-token-5d41402abc4b2a76"
ACCESS = "SEKRET-access-7b8b965ad4bca0e4"
REFRESH = "SEKRET-refresh-1f3870be274f6c49"
CLIENT_SECRET = "SEKRET-client-b6d767d2f8ed5d21"
SECRETS = [
    API_TOKEN,
    ACCESS,
    REFRESH,
    CLIENT_SECRET,
    base64.b64encode(f"ada@acme.com/token:{API_TOKEN}".encode()).decode(),
]


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _config() -> dict:
    return api_token_config(credentials={"credentials": "api_token", "email": "ada@acme.com", "api_token": API_TOKEN})


@pytest.mark.parametrize("debug", [False, True], ids=["info", "debug"])
def test_given_a_read_that_retries_and_fails_a_stream_when_logged_then_no_secret_appears(debug, zendesk, sleeps):
    tickets = BY_NAME["tickets"].script(START, [[(1, START + 10)]])[0]
    zendesk.expect(
        tickets[0], ZendeskResponse.rate_limited("1"), ZendeskResponse.server_error(502), ZendeskResponse.ok(tickets[1])
    )
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.unauthorized())
    zendesk.expect(BY_NAME["groups"].first_request(START), ZendeskResponse.forbidden())
    catalog = CatalogBuilder().with_stream("tickets", SyncMode.incremental).with_stream("tags", SyncMode.full_refresh)
    catalog = catalog.with_stream("groups", SyncMode.incremental).build()

    output = entrypoint_read(SourceZendeskSupport(), _config(), catalog, expecting_exception=True, debug=debug)

    everything = "\n".join(json.dumps(AirbyteMessageSerializer.dump(m)) for m in output.get_message_iterator())
    assert len(output.records) == 1 and output.errors  # it did read, retry, skip and fail
    assert _leaks(everything) == []


def test_given_a_failing_check_when_printed_then_no_secret_appears(zendesk, capsys, tmp_path):
    zendesk.expect(ZendeskRequest.me(), ZendeskResponse.unauthorized())

    messages = launch_messages(capsys, tmp_path, "check", _config())

    assert [m["connectionStatus"]["status"] for m in messages if m["type"] == "CONNECTION_STATUS"] == ["FAILED"]
    assert _leaks(json.dumps(messages)) == []


def test_given_a_bad_config_when_check_then_the_validation_message_hides_the_secrets(zendesk, capsys, tmp_path):
    config = api_token_config(credentials={"credentials": "nope", "api_token": API_TOKEN, "refresh_token": REFRESH})

    messages = launch_messages(capsys, tmp_path, "check", config)

    assert [m["connectionStatus"]["status"] for m in messages if m["type"] == "CONNECTION_STATUS"] == ["FAILED"]
    assert _leaks(json.dumps(messages)) == []


def test_given_oauth_refresh_when_read_then_secrets_appear_only_in_the_config_update_for_airbyte(
    zendesk, capsys, tmp_path
):
    tokens = {**template("oauth_token"), "access_token": ACCESS, "refresh_token": REFRESH}
    zendesk.expect(ZendeskRequest.oauth_token(), ZendeskResponse.ok(tokens))
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.unauthorized(), ZendeskResponse.unauthorized())
    zendesk.expect(ZendeskRequest.oauth_token(), ZendeskResponse.ok(tokens))
    config = refresh_token_config(client_secret=CLIENT_SECRET, refresh_token="SEKRET-refresh-0")

    messages = launch_messages(capsys, tmp_path, "read", config, streams=["tags"])

    others = [m for m in messages if m["type"] != "CONTROL"]
    assert [m for m in messages if m["type"] == "CONTROL"]  # the rotated pair was handed to Airbyte
    assert any(m["type"] == "TRACE" for m in others)  # and the second 401 failed the stream
    assert _leaks(json.dumps(others)) == [] and "SEKRET-refresh-0" not in json.dumps(others)
