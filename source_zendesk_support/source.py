"""The Airbyte source: spec (spec.json), check, and the flat list of streams; the CDK runs discover and read."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Mapping
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .auth import build_authenticator, can_refresh
from .config import ZendeskConfig, parse_config
from .errors import CHECK_RULES, CREDENTIALS_REJECTED, ZendeskBackoff, ZendeskErrorHandler, json_body
from .state import Clock
from .streams import STREAMS, ZendeskStream
from .waits import DEFAULT_WAITS, Waits

CHECK_TIMEOUT = (10, 60)
logger = logging.getLogger("airbyte")


def _now() -> float:
    return time.time()


class SourceZendeskSupport(AbstractSource):
    def __init__(self, clock: Clock = _now, waits: Waits = DEFAULT_WAITS) -> None:
        self._clock = clock
        self._waits = waits

    def _setup(self, config: Mapping[str, Any]) -> tuple[ZendeskConfig, Any]:
        zendesk = parse_config(config, self._clock())
        # The authenticator gets its own copy of the raw config: the OAuth refresh flow rewrites tokens in it and
        # emits it whole for Airbyte to persist (see auth.py).
        return zendesk, build_authenticator(zendesk, copy.deepcopy(dict(config)), logger)

    def streams(self, config: Mapping[str, Any]) -> list[ZendeskStream]:
        zendesk, authenticator = self._setup(config)
        return [stream(zendesk, authenticator, self._clock, self._waits) for stream in STREAMS]

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
            raise _check_failure(CREDENTIALS_REJECTED)
        role = user.get("role")
        if role != "admin":
            raise _check_failure(
                f"The Zendesk user lacks the permissions this connector needs: its role is '{role}', and the "
                "incremental exports and ticket audits are open to admins only. Use the credentials of a Zendesk admin."
            )
        return True, None


def _check_failure(message: str) -> AirbyteTracedException:
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)
