"""Long waits are never silent: a log line at least every heartbeat, so Airbyte never takes the connector for dead."""

from __future__ import annotations

import logging
import time

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_zendesk_support.errors import MAX_RETRIES, ZendeskBackoff
from source_zendesk_support.waits import ENV_HEARTBEAT, ENV_READ_TIMEOUT, HEARTBEAT_SECONDS, READ_TIMEOUT, Waits

from .harness import START, api_token_config, read, records_of
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskRequest, ZendeskResponse


class _Timeline(logging.Handler):
    """Log lines and sleeps in the order they happened."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append(("log", record.getMessage()))

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.events.append(("sleep", seconds))


@pytest.fixture
def timeline(monkeypatch):
    recorder = _Timeline()
    monkeypatch.setattr(time, "sleep", recorder.sleep)
    logging.getLogger("airbyte").addHandler(recorder)
    yield recorder
    logging.getLogger("airbyte").removeHandler(recorder)


def _rate_limited(retry_after: str) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = 429, b"{}"
    response.headers["Retry-After"] = retry_after
    return response


def _tags_page() -> dict:
    return BY_NAME["tags"].script(START, [[(1, START)]])[0][1]


def _silences(events: list[tuple[str, object]]) -> list[float]:
    """Seconds slept between two log lines, for every stretch of the timeline."""
    stretches, current = [], 0.0
    for kind, value in events:
        if kind == "log":
            stretches.append(current)
            current = 0.0
        else:
            current += float(value)
    return [*stretches, current]


@pytest.mark.parametrize("retry_after", ["95", "3600"])
def test_given_a_long_retry_after_when_read_then_a_log_line_comes_at_least_every_heartbeat(
    retry_after, zendesk, timeline
):
    zendesk.expect(
        ZendeskRequest.list("tags"),
        ZendeskResponse.rate_limited(retry_after=retry_after),
        ZendeskResponse.ok(_tags_page()),
    )

    output = read(api_token_config(), ["tags"])

    assert records_of(output, "tags")
    slept = [value for kind, value in timeline.events if kind == "sleep"]
    assert sum(slept) == float(retry_after)  # the whole wait Zendesk asked for, no more (the CDK adds its 1 s)
    assert max(_silences(timeline.events)) <= HEARTBEAT_SECONDS
    assert any("Waiting before retrying 'tags' (HTTP 429)" in str(value) for kind, value in timeline.events)


def test_given_a_short_wait_then_nothing_is_added_to_what_the_cdk_logs(timeline):
    assert ZendeskBackoff().backoff_time(_rate_limited("5"), 1) == 4.0
    assert timeline.events == []


def test_given_the_last_attempt_then_no_wait_happens_before_the_cdk_gives_up(timeline):
    assert ZendeskBackoff().backoff_time(_rate_limited("600"), MAX_RETRIES + 1) < 0.01
    assert timeline.events == []


def test_given_a_heartbeat_from_the_environment_then_waits_are_cut_into_slices_of_it(timeline):
    waits = Waits.from_env({ENV_HEARTBEAT: "2"})
    handed_to_the_cdk = ZendeskBackoff(waits, logging.getLogger("airbyte"), "tickets").backoff_time(
        _rate_limited("7"), 1
    )
    assert handed_to_the_cdk + 1 == 2.0
    assert [value for kind, value in timeline.events if kind == "sleep"] == [2.0, 2.0, 1.0]
    assert [kind for kind, _ in timeline.events] == ["log", "sleep", "log", "sleep", "log", "sleep"]


def test_given_no_environment_then_production_defaults():
    assert Waits.from_env({}) == Waits() and Waits().request_timeout == (30.0, READ_TIMEOUT)
    assert Waits.from_env({ENV_READ_TIMEOUT: "2.5"}).request_timeout == (30.0, 2.5)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_given_a_bad_value_in_the_environment_then_a_config_error_naming_the_variable(value):
    with pytest.raises(AirbyteTracedException) as error:
        Waits.from_env({ENV_READ_TIMEOUT: value})
    assert error.value.failure_type == FailureType.config_error
    assert ENV_READ_TIMEOUT in error.value.message
