"""Fixtures the emulator's server tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def session(emu):
    """A session on the module's running emulator (`emu`), authenticated by API token, on an account reset to its
    seed and at the start of a fresh rate-limit minute, so no earlier test's requests count against this one.
    A module that needs another kind of session defines its own `session`."""
    emu.reset()
    now = emu.control("GET", "clock")["now"]
    emu.control("POST", "clock/advance", json={"seconds": 60 - now % 60 + 0.01})
    with emu.session() as session:
        session.auth = emu.api_token_auth()
        yield session
