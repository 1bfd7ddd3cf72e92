"""Config validation and the spec: every bad config is a config error naming the field, before any request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_zendesk_support.config import (
    AccessTokenCredentials,
    ApiTokenCredentials,
    RefreshTokenCredentials,
    parse_config,
)

from .harness import NOW_TS, START, api_token_config, error_traces, launch_messages, read

GOOD_CREDENTIALS = {"credentials": "api_token", "email": "ada@acme.com", "api_token": "tok"}


@pytest.mark.parametrize(
    "given, expected",
    [
        ("acme", "acme"),
        ("ACME", "acme"),
        ("acme.zendesk.com", "acme"),
        ("acme.zendesk.com/", "acme"),
        ("https://acme.zendesk.com", "acme"),
        ("https://acme.zendesk.com/", "acme"),
        ("  acme-support  ", "acme-support"),
        ("acme\n", "acme"),
        ("a" * 63, "a" * 63),
    ],
)
def test_given_an_accepted_subdomain_form_when_parsed_then_normalised_to_the_bare_name(given, expected):
    assert parse_config({"subdomain": given, "credentials": GOOD_CREDENTIALS}, NOW_TS).subdomain == expected


BAD_SUBDOMAINS = [
    "",
    "   ",
    "acme.zendesk.com/api/v2",
    "https://acme.zendesk.com/path",
    "acme.zendesk.com:8443",
    "https://acme.zendesk.com:443",
    "https://user:pass@acme.zendesk.com",
    "evil.com@acme",
    "acme.zendesk.com?x=1",
    "acme#frag",
    "acme.evil.com",
    "acme.zendesk.com.evil.com",
    "evil.com/acme.zendesk.com",
    "http://acme.zendesk.com",
    "ftp://acme.zendesk.com",
    "acme.zendesk.co",
    "ac me",
    "-acme",
    "acme-",
    "acme_support",
    "a" * 64,
    "\u212aelvin",  # the Kelvin sign, which case-insensitive matching would fold to "k"
    "аcme",  # Cyrillic "а"
    "ac\nme",
    "acme.zendesk.com.",
    "127.0.0.1",
    "localhost:8080",
]


@pytest.mark.parametrize("subdomain", BAD_SUBDOMAINS)
def test_given_a_bad_subdomain_when_read_then_config_error_naming_the_field_and_no_request(subdomain, zendesk):
    output = read(api_token_config(subdomain=subdomain), ["tags"], expect_failure=True)

    traces = error_traces(output)
    assert traces and traces[-1].failure_type == FailureType.config_error
    assert "'subdomain'" in traces[0].message


BAD_START_DATES = ["2024-13-01T00:00:00Z", "2024-02-30", "yesterday", "2024-01-01 00:00:00", "1704067200", "2030-01-01T00:00:00Z",
                   "1969-12-31T00:00:00Z", "2024-01-01T00:00:00+02:00"]  # fmt: skip


@pytest.mark.parametrize("start_date", BAD_START_DATES)
def test_given_a_bad_start_date_when_read_then_config_error_naming_the_field_and_no_request(start_date, zendesk):
    output = read(api_token_config(start_date=start_date), ["tags"], expect_failure=True)

    traces = error_traces(output)
    assert traces and traces[-1].failure_type == FailureType.config_error
    assert "'start_date'" in traces[0].message


BAD_CREDENTIALS = [
    ({"credentials": "api_token", "email": "ada@acme.com"}, "credentials.api_token"),
    ({"credentials": "api_token", "api_token": "tok"}, "credentials.email"),
    ({"credentials": "api_token", "email": "ada@acme.com", "api_token": "  "}, "credentials.api_token"),
    ({"credentials": "api_token", "email": "not-an-email", "api_token": "tok"}, "credentials.email"),
    ({"credentials": "api_token", "email": "ada:x@acme.com", "api_token": "tok"}, "credentials.email"),
    ({"credentials": "oauth2.0"}, "credentials.access_token"),
    ({"credentials": "oauth2.0", "access_token": ""}, "credentials.access_token"),
    ({"credentials": "oauth2_refresh", "client_id": "c", "client_secret": "s"}, "credentials.refresh_token"),
    ({"credentials": "oauth2_refresh", "client_secret": "s", "refresh_token": "r"}, "credentials.client_id"),
    ({"credentials": "oauth2_refresh", "client_id": "c", "refresh_token": "r"}, "credentials.client_secret"),
    ({"credentials": "oauth2_refresh", "client_id": "c", "client_secret": "s", "refresh_token": "r",
      "token_expiry_date": "soon"}, "credentials.token_expiry_date"),
]  # fmt: skip


@pytest.mark.parametrize("credentials, field", BAD_CREDENTIALS)
def test_given_bad_credentials_when_read_then_config_error_naming_the_field_and_no_request(credentials, field, zendesk):
    output = read(api_token_config(credentials=credentials), ["tags"], expect_failure=True)

    traces = error_traces(output)
    assert traces and traces[-1].failure_type == FailureType.config_error
    assert f"'{field}'" in traces[0].message


@pytest.mark.parametrize("credentials, field", BAD_CREDENTIALS[:3] + BAD_CREDENTIALS[5:6])
def test_given_bad_credentials_when_check_then_failed_status_naming_the_field_and_no_request(
    credentials, field, zendesk, capsys, tmp_path
):
    messages = launch_messages(capsys, tmp_path, "check", api_token_config(credentials=credentials))

    status = [m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS"]
    assert status == [{"status": "FAILED", "message": status[0]["message"]}]
    assert f"'{field}'" in status[0]["message"]


@pytest.mark.parametrize("subdomain", ["https://acme.zendesk.com/api", "acme.evil.com", ""])
def test_given_bad_subdomain_when_check_then_failed_status_naming_the_field_and_no_request(
    subdomain, zendesk, capsys, tmp_path
):
    messages = launch_messages(capsys, tmp_path, "check", api_token_config(subdomain=subdomain))

    status = [m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS"]
    assert status[0]["status"] == "FAILED" and "'subdomain'" in status[0]["message"]


def test_given_no_start_date_when_parsed_then_one_year_before_now():
    config = parse_config({"subdomain": "acme", "credentials": GOOD_CREDENTIALS}, NOW_TS)
    assert config.start_time == NOW_TS - 365 * 86400


@pytest.mark.parametrize("start_date, expected", [("2024-01-01T00:00:00Z", START), ("2024-01-01", START),
                                                  ("2024-01-01T00:00:00.000Z", START), ("", NOW_TS - 365 * 86400)])  # fmt: skip
def test_given_accepted_start_date_forms_when_parsed_then_unix_seconds(start_date, expected):
    config = parse_config({"subdomain": "acme", "start_date": start_date, "credentials": GOOD_CREDENTIALS}, NOW_TS)
    assert config.start_time == expected


@pytest.mark.parametrize(
    "credentials, kind",
    [
        (GOOD_CREDENTIALS, ApiTokenCredentials),
        ({"credentials": "oauth2.0", "access_token": "a"}, AccessTokenCredentials),
        ({"credentials": "oauth2.0", "access_token": "a", "client_id": "c", "client_secret": "s"}, AccessTokenCredentials),
        ({"credentials": "oauth2_refresh", "client_id": "c", "client_secret": "s", "refresh_token": "r"}, RefreshTokenCredentials),
        ({"credentials": "oauth2_refresh", "client_id": "c", "client_secret": "s", "refresh_token": "r",
          "access_token": "a", "token_expiry_date": "2024-06-01T00:30:00+00:00"}, RefreshTokenCredentials),
    ],
)  # fmt: skip
def test_given_each_credentials_shape_when_parsed_then_recognised(credentials, kind):
    assert isinstance(parse_config({"subdomain": "acme", "credentials": credentials}, NOW_TS).credentials, kind)


def test_given_the_official_connectors_extra_keys_when_parsed_then_ignored():
    config = {"subdomain": "acme", "credentials": GOOD_CREDENTIALS, "num_workers": 3, "ignore_pagination": False}
    assert parse_config(config, NOW_TS).subdomain == "acme"


# -- spec -----------------------------------------------------------------------------------------------------------
def test_when_spec_then_fields_secrets_oauth_and_token_retirement_are_declared(capsys, tmp_path):
    (spec,) = [m["spec"] for m in launch_messages(capsys, tmp_path, "spec") if m["type"] == "SPEC"]
    connection = spec["connectionSpecification"]

    assert connection["required"] == ["subdomain", "credentials"]
    assert set(connection["properties"]) == {"subdomain", "start_date", "credentials", "rate_limit_percent",
                                             "custom_field_columns"}
    share = connection["properties"]["rate_limit_percent"]
    assert (share["type"], share["minimum"], share["maximum"], share["default"]) == ("integer", 1, 100, 100)
    columns = connection["properties"]["custom_field_columns"]
    assert (columns["type"], columns["default"]) == ("boolean", True)
    branches = {b["properties"]["credentials"]["const"]: b for b in connection["properties"]["credentials"]["oneOf"]}
    assert set(branches) == {"api_token", "oauth2.0", "oauth2_refresh"}
    secrets = {
        kind: sorted(name for name, prop in branch["properties"].items() if prop.get("airbyte_secret"))
        for kind, branch in branches.items()
    }
    assert secrets == {
        "api_token": ["api_token"],
        "oauth2.0": ["access_token", "client_id", "client_secret"],
        "oauth2_refresh": ["access_token", "client_id", "client_secret", "refresh_token"],
    }
    assert "2026-10-27" in branches["api_token"]["description"] and "2027-04-30" in branches["api_token"]["description"]
    auth = spec["advanced_auth"]
    assert auth["predicate_key"] == ["credentials", "credentials"] and auth["predicate_value"] == "oauth2_refresh"
    outputs = auth["oauth_config_specification"]["complete_oauth_output_specification"]["properties"]
    assert outputs["refresh_token"]["path_in_connector_config"] == ["credentials", "refresh_token"]


def test_given_main_py_when_run_as_a_script_then_it_prints_the_spec():
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "main.py", "spec"], cwd=root, capture_output=True, text=True, check=True)

    messages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [m["spec"]["connectionSpecification"]["title"] for m in messages if m["type"] == "SPEC"] == [
        "Zendesk Support Spec"
    ]


@pytest.mark.parametrize(("value", "expected"), [(None, True), (True, True), (False, False), ("false", False),
                                                 (" True ", True)])
def test_given_custom_field_columns_then_a_boolean_absent_meaning_on(value, expected):
    config = {"subdomain": "acme", "credentials": GOOD_CREDENTIALS, "custom_field_columns": value}
    assert parse_config(config, NOW_TS).custom_field_columns is expected


@pytest.mark.parametrize("value", [1, "yes", [], {}])
def test_given_custom_field_columns_not_a_boolean_then_a_config_error_naming_it(value):
    config = {"subdomain": "acme", "credentials": GOOD_CREDENTIALS, "custom_field_columns": value}
    with pytest.raises(AirbyteTracedException) as raised:
        parse_config(config, NOW_TS)
    assert raised.value.failure_type == FailureType.config_error
    assert "'custom_field_columns' must be true or false" in raised.value.message
