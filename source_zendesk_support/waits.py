"""How long the connector waits on Zendesk, and how it keeps talking while it waits.

Airbyte declares a source dead when it prints nothing for too long (its heartbeat), and users of the official
connector have seen syncs killed inside long rate-limit sleeps (see notes/peers.md). So a wait longer than one
heartbeat is cut into slices with a log line before each: the connector is never silent for longer than
`heartbeat` seconds while it waits, however long Zendesk's Retry-After is.

A sync's waits also say how far it has got (records so far, and the share of a stream's estimate where Zendesk gave
one: estimates.py), so a user watching the log of a big account sees progress, not only "s to go".

The defaults suit production. The environment can change them (for tests, and for networks where Zendesk is
slow to answer); a bad value is a config error naming the variable.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from .failures import CONFIG, Failure

CONNECT_TIMEOUT = 30.0
# Between bytes. Zendesk's edge answers an export page that takes too long to build with 504 after about a
# minute, so a longer read timeout only fires when the network itself stalls.
READ_TIMEOUT = 90.0
HEARTBEAT_SECONDS = 20.0  # comfortably below the 30 s we promise

ENV_READ_TIMEOUT = "ZENDESK_READ_TIMEOUT_SECONDS"
ENV_HEARTBEAT = "ZENDESK_HEARTBEAT_SECONDS"


@dataclass(frozen=True)
class Waits:
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    heartbeat: float = HEARTBEAT_SECONDS
    # What the sync has read so far, said with every wait's log line ("" says nothing).
    progress: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    @property
    def request_timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Waits:
        return cls(
            read_timeout=_seconds(env, ENV_READ_TIMEOUT, READ_TIMEOUT),
            heartbeat=_seconds(env, ENV_HEARTBEAT, HEARTBEAT_SECONDS),
        )

    def reporting(self, progress: Callable[[], str]) -> Waits:
        """These waits, each log line followed by what `progress` says at the time."""
        return replace(self, progress=progress)

    def pause(self, seconds: float, logger: logging.Logger, reason: str) -> None:
        """Sleep `seconds`, logging before every slice of at most one heartbeat."""
        remaining = seconds
        while remaining > 0:
            said = self.progress() if self.progress is not None else ""
            logger.info(f"{reason}: {math.ceil(remaining)} s to go." + (f" {said}" if said else ""))
            step = min(remaining, self.heartbeat)
            time.sleep(step)  # looked up at call time: tests replace time.sleep to record waits
            remaining -= step


DEFAULT_WAITS = Waits()


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        message = f"Invalid environment: {name} must be a number of seconds above 0, got {raw!r}"
        raise Failure(message, CONFIG)
    return value
