"""The `--state` file: Airbyte's list of per-stream state messages, or an older or foreign shape turned into one.

The CDK's own reader accepts only the per-stream list and answers anything else with "Something went wrong in the
connector". A state file is written by someone else (the platform, a migration, a hand edit), so each shape we
can read unambiguously is migrated to per-stream states, and anything else is a config error that says what is
wrong and how to recover. What a single stream's state may hold is checked later, by that stream's position, once
the official connector's shapes of it are migrated (`LegacyStateMigration`, below).

Migrated shapes: Airbyte's legacy object `{"<stream>": {...}}` and LEGACY messages, GLOBAL messages (their
per-stream parts; this connector keeps no shared state), and Singer's `{"bookmarks": {"<stream>": {...}}}`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airbyte_cdk.models import AirbyteStateMessage, AirbyteStateMessageSerializer

from .failures import UnusableState

logger = logging.getLogger("airbyte")


def read_state_file(path: str | None) -> list[AirbyteStateMessage]:
    if not path:
        return []
    try:
        with open(path, encoding="utf-8") as file:
            raw = json.load(file)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnusableState(f"the file is not readable JSON ({type(error).__name__})") from None
    return [AirbyteStateMessageSerializer.load(message) for message in per_stream_messages(raw)]


def per_stream_messages(raw: Any) -> list[dict[str, Any]]:
    """Any accepted shape as a list of STREAM state messages (plain dicts)."""
    if raw is None or raw == {} or raw == []:
        return []
    if isinstance(raw, list):
        return [message for item in raw for message in _from_message(item)]
    if isinstance(raw, Mapping):
        if "type" in raw:  # one state message, not in a list
            return _from_message(raw)
        if isinstance(raw.get("bookmarks"), Mapping):  # Singer
            return _from_object(raw["bookmarks"], "Singer's 'bookmarks'")
        return _from_object(raw, "the legacy state object")
    raise UnusableState(f"expected a list of state messages, got {_kind(raw)}")


def _from_message(item: Any) -> list[dict[str, Any]]:
    if not isinstance(item, Mapping):
        raise UnusableState(f"a state message is {_kind(item)}, not an object")
    kind = item.get("type")
    if kind == "STREAM" or (kind is None and "stream" in item):
        return [_stream_message(item.get("stream"))]
    if kind == "GLOBAL":
        block = item.get("global")
        if not isinstance(block, Mapping) or not isinstance(block.get("stream_states"), list):
            raise UnusableState("a GLOBAL state message has no 'global.stream_states' list")
        if block.get("shared_state"):
            logger.warning("The saved state has a shared (GLOBAL) part this connector does not use; it is ignored.")
        return [_stream_message(stream) for stream in block["stream_states"]]
    if kind == "LEGACY" or (kind is None and "data" in item):
        return _from_object(item.get("data"), "a LEGACY state message")
    raise UnusableState(f"unknown state message type {kind!r} (expected STREAM)")


def _stream_message(stream: Any) -> dict[str, Any]:
    if not isinstance(stream, Mapping):
        raise UnusableState("a STREAM state message has no 'stream' object")
    descriptor = stream.get("stream_descriptor")
    if not isinstance(descriptor, Mapping) or not isinstance(descriptor.get("name"), str) or not descriptor["name"]:
        raise UnusableState("a STREAM state message has no 'stream_descriptor.name'")
    state = stream.get("stream_state")
    if state is not None and not isinstance(state, Mapping):
        raise UnusableState(f"the state of stream '{descriptor['name']}' is {_kind(state)}, not an object")
    return {"type": "STREAM", "stream": {"stream_descriptor": dict(descriptor), "stream_state": state or {}}}


def _from_object(states: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(states, Mapping):
        raise UnusableState(f"{what} is {_kind(states)}, not an object of stream states")
    logger.info(f"The saved state is {what}; reading it as per-stream states.")
    return [
        _stream_message({"stream_descriptor": {"name": str(name)}, "stream_state": state})
        for name, state in states.items()
    ]


def _kind(value: Any) -> str:
    return "null" if value is None else f"a {type(value).__name__}"


@dataclass(frozen=True)
class LegacyStateMigration:
    """Accepts the official Airbyte connector's state for a stream: the same position under another key or nested
    in its low-code cursor's wrappers. Values such as "1704217140" (a string) are parsed later by the position."""

    key: str
    aliases: tuple[tuple[str, ...], ...] = ()

    def should_migrate(self, state: Mapping[str, Any]) -> bool:
        return self.key not in state and self._found(state) is not None

    def migrate(self, state: Mapping[str, Any]) -> dict[str, Any]:
        return {self.key: self._found(state)}

    def _found(self, state: Mapping[str, Any]) -> Any:
        for path in (*self.aliases, ("state", self.key)):
            value: Any = state
            for part in path:
                value = value.get(part) if isinstance(value, Mapping) else None
            if value is not None:
                return value
        return None
