"""Every error the connector reports goes through failures.py: one exception, its kind and its wording."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

import source_zendesk_support
from source_zendesk_support.failures import BrokenPagination, Failure, InvalidConfig, UnreadablePage, UnusableState

PACKAGE = Path(source_zendesk_support.__file__).parent


@pytest.mark.parametrize("failure, kind, message", [
    (Failure("Zendesk said no."), FailureType.system_error, "Zendesk said no."),
    (InvalidConfig("subdomain", "is required"), FailureType.config_error, "Invalid config: 'subdomain' is required"),
    (UnusableState("'x' is not a time", "tickets"), FailureType.config_error,
     "The saved state of stream 'tickets' cannot be used: 'x' is not a time. Reset this stream in Airbyte to sync it "
     "again from the start date."),
    (UnusableState("it is not JSON"), FailureType.config_error,
     "The saved state cannot be used: it is not JSON. Reset the connection in Airbyte to sync every stream again from "
     "the start date."),
    (UnreadablePage("users", "a record has no usable 'id'"), FailureType.system_error,
     "Zendesk sent a page of 'users' that cannot be read: a record has no usable 'id'"),
    (BrokenPagination("the page has no 'meta' object"), FailureType.system_error,
     "Zendesk's pagination cannot be followed: the page has no 'meta' object"),
], ids=lambda value: type(value).__name__ if isinstance(value, Failure) else None)
def test_given_a_failure_then_airbyte_gets_its_kind_and_the_same_message_for_the_user_and_the_logs(failure, kind, message):
    assert isinstance(failure, AirbyteTracedException)
    assert (failure.failure_type, failure.message, failure.internal_message) == (kind, message, message)


def test_given_the_connector_then_no_module_but_failures_py_builds_a_traced_error_itself():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "failures.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                    "AirbyteTracedException", "from_exception"):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert found == [], "raise a failures.Failure (or one of its kinds) instead"
