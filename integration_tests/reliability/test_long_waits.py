"""Item 8, long waits: while the connector waits on a Retry-After or a backoff it keeps printing, so Airbyte's
heartbeat never takes it for dead. Measured on the connector's stdout as a reader sees it (the CDK buffers prints
for up to 0.1 s): the longest silence must stay within one heartbeat, plus that buffer and some scheduling slack.

The reduced run uses a 1-second heartbeat (ZENDESK_HEARTBEAT_SECONDS) and a 6-second Retry-After followed by two
503s (2 s and 4 s of backoff); the full run keeps the production heartbeat (20 s) and waits out a 65-second
Retry-After, which must never leave Airbyte more than 30 s without a message.
"""

from __future__ import annotations

import pytest

from zendesk_emulator.testing import EmulatorProcess

from .harness import FULL, catalog_for, connector_env, count, run_connector

pytestmark = pytest.mark.reliability

RETRY_AFTER = 65 if FULL else 6
HEARTBEAT = None if FULL else 1.0  # None: the connector's default (20 s)
LIMIT = 30.0 if FULL else 1.8  # the promise, and the reduced run's heartbeat + buffer + slack
BACKOFF = 2 + 4  # two 503s after the 429


@pytest.fixture(scope="module")
def emulator():
    settings = {"fault_sequence": {"tags": ["429", "503", "503"]}, "fault_retry_after": RETRY_AFTER, "burst_length": 1}
    with EmulatorProcess(seed=89, tickets=200, plan="unlimited", settings=settings) as emu:
        yield emu


def test_given_a_long_retry_after_and_backoffs_when_waiting_then_a_message_comes_at_least_every_heartbeat(
    emulator, discovered
):
    env = connector_env(emulator)
    if HEARTBEAT is not None:
        env["ZENDESK_HEARTBEAT_SECONDS"] = str(HEARTBEAT)

    run = run_connector("read", env, config=emulator.info["config"], catalog=catalog_for(discovered, ["tags"]))

    assert run.exit_code == 0 and run.records("tags"), run.describe()
    waits = [line for line in run.logs() if line.startswith("Waiting before retrying 'tags'")]
    assert any("(HTTP 429)" in line for line in waits), waits
    if not FULL:  # the 503 backoffs (2 s, 4 s) outlast only the reduced run's 1 s heartbeat
        assert any("(HTTP 503)" in line for line in waits), waits
    first, last = run.arrivals[0], run.arrivals[-1]
    assert last - first >= RETRY_AFTER + BACKOFF, "the connector did not wait as long as Zendesk asked"
    silences = [later - earlier for earlier, later in zip(run.arrivals, run.arrivals[1:], strict=False)]
    assert max(silences) <= LIMIT, f"{max(silences):.1f} s without a message while waiting"
    count("long waits", seconds_waited=int(last - first), longest_silence_ms=int(max(silences) * 1000),
          messages_while_waiting=len(waits))  # fmt: skip
