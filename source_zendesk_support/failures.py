"""How the connector fails: one exception for every error it reports to Airbyte, and whose it is to fix.

Airbyte shows a traced error's message to the user and keeps its kind (`FailureType`): `config_error`, the user's to
fix (the config, a saved state, the environment); `system_error`, ours or Zendesk's; `transient_error`, worth another
try. What a response from Zendesk means is decided by the error table (errors.py), through the CDK's error handler;
everything else the connector refuses is raised as a `Failure`, whose message goes to the user and to the logs alike
(so it never holds a secret). The subclasses only word the messages several places raise.
"""

from __future__ import annotations

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

CONFIG = FailureType.config_error
SYSTEM = FailureType.system_error


class Failure(AirbyteTracedException):
    """An error the connector reports to Airbyte: `message` for the user and the logs, `kind` whose it is to fix."""

    def __init__(self, message: str, kind: FailureType = SYSTEM) -> None:
        super().__init__(message=message, internal_message=message, failure_type=kind)


class InvalidConfig(Failure):
    """A config field the connector cannot use, named as in the spec (`credentials.api_token`)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"Invalid config: '{field}' {problem}", CONFIG)


class UnusableState(Failure):
    """A saved state the connector cannot use: one stream's, or (without `stream`) the whole state file."""

    def __init__(self, problem: str, stream: str | None = None) -> None:
        if stream is None:
            message = (f"The saved state cannot be used: {problem}. Reset the connection in Airbyte to sync every "
                       "stream again from the start date.")
        else:
            message = (f"The saved state of stream '{stream}' cannot be used: {problem}. Reset this stream in Airbyte "
                       "to sync it again from the start date.")
        super().__init__(message, CONFIG)


class UnreadablePage(Failure):
    """A page whose records cannot be read (a time that is not one, a record without its id...)."""

    def __init__(self, stream: str, problem: str) -> None:
        super().__init__(f"Zendesk sent a page of '{stream}' that cannot be read: {problem}")


class BrokenPagination(Failure):
    """A page that does not say, or says wrongly, what comes after it."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"Zendesk's pagination cannot be followed: {problem}")
