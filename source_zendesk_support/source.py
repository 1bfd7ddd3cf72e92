"""The Airbyte source: spec (spec.json), check, and the flat list of streams; the CDK runs discover and read."""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    FailureType,
    Status,
)
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .auth import build_authenticator, can_refresh
from .config import ZendeskConfig, parse_config
from .custom_fields import add_columns, with_columns
from .driver import read_catalog
from .errors import CHECK_RULES, CREDENTIALS_REJECTED, ZendeskBackoff, ZendeskErrorHandler, json_body
from .estimates import Estimates, Progress
from .failures import CONFIG, Failure, InvalidConfig
from .pacing import Pacer
from .state import Clock
from .state_file import read_state_file
from .streams import STREAMS, ZendeskStream
from .waits import DEFAULT_WAITS, Waits

CHECK_TIMEOUT = (10, 60)
logger = logging.getLogger("airbyte")


def _now() -> float:
    return time.time()


class SourceZendeskSupport(AbstractSource):
    # parse_config validates every field and names it in its message; the CDK's JSON-schema check would run first
    # and answer e.g. "5 is not of type 'string'" without saying which field.
    check_config_against_spec = False

    def __init__(self, clock: Clock = _now, waits: Waits = DEFAULT_WAITS) -> None:
        self._clock = clock
        self._waits = waits

    @staticmethod
    def read_config(config_path: str) -> MutableMapping[str, Any]:
        """The CDK's own reader calls a config file that is not a JSON object "Something went wrong"."""
        try:
            with open(config_path, encoding="utf-8") as file:
                config = json.load(file)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidConfig("config", f"is not a readable JSON file ({type(error).__name__})") from None
        if not isinstance(config, MutableMapping):
            raise InvalidConfig("config", "must be a JSON object")
        return config

    @classmethod
    def read_state(cls, state_path: str) -> list[AirbyteStateMessage]:
        return read_state_file(state_path)

    def _setup(self, config: Mapping[str, Any]) -> tuple[ZendeskConfig, Any]:
        zendesk = parse_config(config, self._clock())
        # The authenticator gets its own copy of the raw config: the OAuth refresh flow rewrites tokens in it and
        # emits it whole for Airbyte to persist (see auth.py).
        return zendesk, build_authenticator(zendesk, copy.deepcopy(dict(config)), logger)

    def streams(self, config: Mapping[str, Any]) -> list[ZendeskStream]:  # type: ignore[override]  # all Stream
        return self._streams_and_estimates(config)[1]

    def _streams_and_estimates(
        self, config: Mapping[str, Any]
    ) -> tuple[ZendeskConfig, list[ZendeskStream], Estimates]:
        """The parsed config, the streams, and the sync's row estimates; every wait of the sync says its progress
        (estimates.py)."""
        zendesk, authenticator = self._setup(config)
        progress = Progress()
        waits = self._waits.reporting(progress.summary)
        # One budget for all streams: they spend the same account's limits (the share of them the config allows).
        pacer = Pacer(waits, logger, share=zendesk.rate_limit_percent)
        streams = [stream(zendesk, authenticator, self._clock, waits, pacer) for stream in STREAMS]
        counts = {stream.name: stream.count_endpoint for stream in streams if stream.count_endpoint}
        return zendesk, streams, Estimates(zendesk, authenticator, pacer, waits, logger, progress, counts)

    def discover(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteCatalog:
        """The streams' static schemas; with `custom_field_columns` (the default) the tickets, users and
        organizations schemas get a typed column per active custom field, from the account's three field lists
        (custom_fields/discover.py: discover never fails for them)."""
        zendesk, authenticator = self._setup(config)
        pacer = Pacer(self._waits, logger, share=zendesk.rate_limit_percent)
        streams = [stream(zendesk, authenticator, self._clock, self._waits, pacer) for stream in STREAMS]
        catalog = AirbyteCatalog(streams=[stream.as_airbyte_stream() for stream in streams])
        if not zendesk.custom_field_columns:
            return catalog
        return add_columns(catalog, zendesk, authenticator, pacer, self._waits, logger)

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        """The selected streams are read side by side (driver.py): while the exports wait for Zendesk's next
        minute, the other streams go on."""
        zendesk, streams, estimates = self._streams_and_estimates(config)
        messages = read_catalog(streams, catalog, state, logger, lambda rest: super().read(
            logger, config, rest, state), estimates)
        if zendesk.custom_field_columns:
            # The one point where records get their custom field columns, from the configured catalog's schemas.
            messages = with_columns(messages, catalog, logger)
        yield from messages

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """A failed check is an answer, not a crash: a config error (bad config, credentials Zendesk rejects, ...)
        becomes a FAILED status carrying its message, without the stack trace the CDK would print with it."""
        try:
            return super().check(logger, config)
        except AirbyteTracedException as error:
            if error.failure_type != FailureType.config_error:
                raise
            return AirbyteConnectionStatus(status=Status.FAILED, message=error.message)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> tuple[bool, Any]:
        """One request, GET users/me.json. Every failure is a config error whose message says what to fix:
        wrong credentials (401, or Zendesk's anonymous user), unknown subdomain (404 "No help desk at"),
        missing permissions (403, or a user who is not an admin) and an unreachable host."""
        zendesk, authenticator = self._setup(config)
        client = HttpClient(
            name="check",
            logger=logger,
            error_handler=ZendeskErrorHandler(
                logger, "check", zendesk.host, rules=CHECK_RULES, refreshable=can_refresh(authenticator)
            ),
            backoff_strategy=ZendeskBackoff(self._waits, logger),
            authenticator=authenticator,
            message_repository=InMemoryMessageRepository(),
        )
        _, response = client.send_request(
            "GET",
            f"{zendesk.url_base}users/me.json",
            request_kwargs={"timeout": CHECK_TIMEOUT, "allow_redirects": False},
        )
        user = json_body(response).get("user") or {}
        if user.get("id") is None:
            # Zendesk answers users/me with an anonymous user instead of a 401 when no credentials were recognised.
            raise Failure(CREDENTIALS_REJECTED, CONFIG)
        role = user.get("role")
        if role != "admin":
            raise Failure(
                f"The Zendesk user lacks the permissions this connector needs: its role is '{role}', and the "
                "incremental exports and ticket audits are open to admins only. Use the credentials of a Zendesk admin.",
                CONFIG,
            )
        return True, None

