"""Shared fixtures of the reliability suite, and the figures it prints at the end of a run."""

from __future__ import annotations

import os

import pytest

from .harness import FIGURES, FULL, discover

# discover makes no request: any well-formed config will do.
OFFLINE_CONFIG = {
    "subdomain": "acme",
    "credentials": {"credentials": "api_token", "email": "ada@acme.com", "api_token": "discover-only-token"},
}


@pytest.fixture(scope="session")
def discovered() -> dict:
    return discover(os.environ, OFFLINE_CONFIG)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not FIGURES:
        return
    terminalreporter.section(
        f"reliability figures ({'full' if FULL else 'reduced; RELIABILITY_FULL=1 for the full run'})"
    )
    for section, amounts in sorted(FIGURES.items()):
        line = ", ".join(f"{name} {amount}" for name, amount in sorted(amounts.items()))
        terminalreporter.write_line(f"{section}: {line}")
