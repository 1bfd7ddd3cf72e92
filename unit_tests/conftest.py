from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from freezegun import freeze_time

from .harness import NOW
from .zendesk_http import ZendeskMock


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    """Every unit test runs at 2024-06-01T00:00:00Z: default start dates and the exports' 5-minute rule depend on now."""
    with freeze_time(NOW):
        yield


@pytest.fixture
def zendesk() -> Iterator[ZendeskMock]:
    """The strict Zendesk mock: the test fails on a request nobody expected or an expected one never made."""
    with ZendeskMock() as mock:
        yield mock
    mock.verify()


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff waits are recorded, never slept (the backoff library's own zero-second sleeps are not waits)."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", lambda seconds: slept.append(seconds) if seconds > 0 else None)
    return slept
