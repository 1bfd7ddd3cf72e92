"""The error table and the backoff strategy, unit by unit and through a read."""

from __future__ import annotations

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction

from source_zendesk_support.errors import (
    CHECK_RULES,
    MAX_RETRIES,
    STREAM_RULES,
    ZendeskBackoff,
    ZendeskErrorHandler,
    classify,
    retry_after,
)
from source_zendesk_support.waits import HEARTBEAT_SECONDS

from .harness import START, api_token_config, error_traces, read, records_of
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskRequest, ZendeskResponse


def _response(status: int, body: bytes = b"{}", headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, body
    response.headers.update(headers or {})
    return response


@pytest.mark.parametrize(
    "headers, seconds",
    [
        ({"Retry-After": "5"}, 5.0),
        ({"Retry-After": "5, 4"}, 5.0),
        ({"Retry-After": " 12 "}, 12.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({"Retry-After": "Sat, 01 Jun 2024 00:00:30 GMT"}, 30.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "inf"}, 60.0),
        ({"Retry-After": "soon"}, 60.0),
        ({}, 60.0),
    ],
)
def test_given_a_retry_after_header_then_the_wait_is_what_it_says(headers, seconds):
    assert retry_after(headers) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "response, key",
    [
        (_response(200, b'{"tickets": []}'), "ok"),
        (_response(200, b"<html>oops</html>"), "unreadable"),
        (_response(200, b'{"tickets": [{"id": 1}'), "unreadable"),
        (_response(200, b"[]"), "unreadable"),
        (_response(301, b"", {"Location": "https://elsewhere.example.com/"}), "redirect"),
        (_response(400), 400),
        (_response(401), 401),
        (_response(403), 403),
        (_response(404, b'{"error": {"title": "No help desk at nope.zendesk.com"}}'), "unknown_subdomain"),
        (_response(404, b'{"error": "InvalidEndpoint"}'), 404),
        (_response(409), "other"),
        (_response(422), 422),
        (_response(429), 429),
        (_response(500), "5xx"),
        (_response(504, b"upstream request timeout"), "5xx"),
        (requests.ConnectionError(), "network"),
        (requests.exceptions.ReadTimeout(), "network"),
        (requests.exceptions.ChunkedEncodingError(), "network"),
        (requests.exceptions.InvalidURL(), "request_error"),
    ],
)
def test_given_a_response_then_it_is_classified_by_one_table(response, key):
    assert classify(response, refreshable=False) == key
    assert key in STREAM_RULES


def test_given_401_with_a_refresh_token_then_refresh_and_retry_once():
    assert classify(_response(401), refreshable=True) == "401_refreshable"
    assert STREAM_RULES["401_refreshable"].response_action is ResponseAction.REFRESH_TOKEN_THEN_RETRY


def test_given_check_then_forbidden_and_network_errors_fail_instead_of_skip_or_retry():
    assert (
        STREAM_RULES[403].response_action is ResponseAction.IGNORE
        and CHECK_RULES[403].response_action is ResponseAction.FAIL
    )
    assert (
        STREAM_RULES["network"].response_action is ResponseAction.RETRY
        and CHECK_RULES["network"].response_action is ResponseAction.FAIL
    )


def test_given_a_400_then_the_message_carries_zendesks_description():
    handler = ZendeskErrorHandler(
        logger=__import__("logging").getLogger("t"), stream="tickets", host="acme.zendesk.com"
    )
    body = b'{"error": "InvalidValue", "description": "Too recent start_time. Use a start_time older than 5 minutes"}'

    resolution = handler.interpret_response(_response(400, body))

    assert resolution.response_action is ResponseAction.FAIL and resolution.failure_type is FailureType.system_error
    assert resolution.error_message == (
        "Zendesk refused the request for 'tickets' (HTTP 400): InvalidValue: Too recent start_time. "
        "Use a start_time older than 5 minutes"
    )


@pytest.mark.parametrize("attempt, wait", [(1, 2.0), (2, 4.0), (3, 8.0), (5, 32.0), (6, 60.0), (9, 60.0)])
def test_given_retryable_errors_then_backoff_is_exponential_up_to_a_minute(attempt, wait, sleeps):
    # The CDK adds one second to whatever the strategy returns; beyond a heartbeat, the strategy waits first.
    handed_to_the_cdk = ZendeskBackoff().backoff_time(_response(503), attempt)
    assert sum(sleeps) + handed_to_the_cdk + 1 == wait


# -- through a read ------------------------------------------------------------------------------------------------
TAGS = BY_NAME["tags"]


def _tags_page() -> dict:
    return TAGS.script(START, [[(1, START)]])[0][1]


@pytest.mark.parametrize(
    "broken",
    [
        ZendeskResponse.html(),
        ZendeskResponse.truncated({"tags": [{"name": "a", "count": 1}] * 20, "meta": {"has_more": False}, "links": {}}),
        ZendeskResponse.failure(requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")),
        ZendeskResponse.failure(requests.ConnectionError("Connection reset by peer")),
        ZendeskResponse.failure(requests.exceptions.ReadTimeout("Read timed out")),
    ],
    ids=["html", "truncated-json", "chunked-encoding", "connection-reset", "read-timeout"],
)
def test_given_a_broken_response_then_success_when_read_then_it_is_retried_not_taken_as_an_empty_page(
    broken, zendesk, sleeps
):
    zendesk.expect(ZendeskRequest.list("tags"), broken, ZendeskResponse.ok(_tags_page()))

    output = read(api_token_config(), ["tags"])

    assert [r["name"] for r in records_of(output, "tags")] == TAGS.ids([(1, START)])
    assert sleeps == [2.0]


def test_given_429_without_retry_after_when_read_then_waits_a_minute(zendesk, sleeps):
    zendesk.expect(
        ZendeskRequest.list("tags"), ZendeskResponse.rate_limited(retry_after=None), ZendeskResponse.ok(_tags_page())
    )

    read(api_token_config(), ["tags"])

    assert sum(sleeps) == 60.0 and max(sleeps) <= HEARTBEAT_SECONDS


def test_given_429_with_a_doubled_retry_after_when_read_then_the_first_value_counts(zendesk, sleeps):
    zendesk.expect(
        ZendeskRequest.list("tags"), ZendeskResponse.rate_limited(retry_after="5, 4"), ZendeskResponse.ok(_tags_page())
    )

    read(api_token_config(), ["tags"])

    assert sleeps == [5.0]


def test_given_503_on_every_attempt_when_read_then_the_stream_fails_after_the_retry_budget(zendesk, sleeps):
    zendesk.expect(ZendeskRequest.list("tags"), *[ZendeskResponse.server_error(503)] * (MAX_RETRIES + 1))

    output = read(api_token_config(), ["tags"], expect_failure=True)

    assert sum(sleeps) == sum(min(2.0**attempt, 60.0) for attempt in range(1, MAX_RETRIES + 1))
    (trace,) = [t for t in error_traces(output) if t.stream_descriptor]
    assert trace.failure_type == FailureType.transient_error


def test_given_no_help_desk_when_read_then_config_error_unknown_subdomain(zendesk):
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.no_help_desk())

    output = read(api_token_config(), ["tags"], expect_failure=True)

    trace = error_traces(output)[0]
    assert trace.failure_type == FailureType.config_error
    assert trace.message.startswith("No Zendesk account at acme.zendesk.com (unknown subdomain)")


def test_given_a_redirect_when_read_then_it_is_not_followed(zendesk):
    elsewhere = ZendeskResponse(301, b"", {"Location": "https://elsewhere.example.com/api/v2/tags.json"})
    zendesk.expect(ZendeskRequest.list("tags"), elsewhere)

    output = read(api_token_config(), ["tags"], expect_failure=True)

    trace = error_traces(output)[0]
    assert "redirected" in trace.message and "does not follow redirects" in trace.message


def test_given_a_page_without_its_records_key_when_read_then_a_clear_error(zendesk):
    zendesk.expect(ZendeskRequest.list("tags"), ZendeskResponse.ok({"meta": {"has_more": False}, "links": {}}))

    output = read(api_token_config(), ["tags"], expect_failure=True)

    assert "has no 'tags' list" in error_traces(output)[0].message
