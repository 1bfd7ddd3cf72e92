"""One emulated Zendesk account for the integration tests, reached as real HTTPS through the emulator's proxy."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from scripts.airbyte_run import run_source
from zendesk_emulator.testing import EmulatorProcess

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]

HERE = Path(__file__).parent
ROOT = HERE.parent
# The standard tests read this config (see acceptance-test-config.yml); the session fixture writes it.
EMULATOR_CONFIG = HERE / "emulator_config.json"
SEED = 7
TICKETS = 1500


@pytest.fixture(scope="session")
def emulator():
    # Without Zendesk's per-minute limits: these tests check what a sync reads, and side_conversations alone asks
    # once per ticket (1,500 requests, two minutes at the Enterprise plan's 700 a minute, per sync). Pacing under
    # the real limits is tested in reliability/ and measured by bench/.
    with EmulatorProcess(seed=SEED, tickets=TICKETS, plan="unlimited") as emu:
        yield emu


@pytest.fixture(scope="session")
def emulator_env(emulator):
    """Route this process (the CDK's in-process standard tests) through the emulator; restore afterwards."""
    changes = emulator.client_env()
    saved = {key: os.environ.get(key) for key in changes}
    os.environ.update(changes)
    yield {**os.environ}
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def source(emulator, emulator_env):
    """Run the connector's real entrypoint as its own process against the emulator."""

    def run(verb: str, **kwargs):
        kwargs.setdefault("config", emulator.info["config"])
        return run_source([sys.executable, str(ROOT / "main.py")], verb, env=emulator_env, **kwargs)

    return run


@pytest.fixture(scope="session")
def discovered_catalog(source):
    result = source("discover")
    catalogs = [m["catalog"] for m in result.other if m.get("type") == "CATALOG"]
    assert result.exit_code == 0 and catalogs, result.stderr[-2000:]
    return catalogs[0]


# Which connector command each standard test runs for its scenario (the CDK skips the ones a scenario's
# sections do not list; deselecting them here keeps the report free of skips that stand for nothing).
_STANDARD_TEST_COMMANDS = {
    "test_check": "check",
    "test_discover": "discover",
    "test_basic_read": "read",
    "test_fail_read_with_bad_catalog": "read",
    "test_config_matches_spec": "spec",
}


def pytest_collection_modifyitems(config, items):
    """Deselect the standard tests that cannot run here.

    - `test_docker_image_*`: they build the connector image, and there is no Docker engine on these machines
      (the Dockerfile's install is checked by unit_tests/test_packaging.py instead).
    - scenario/command pairs the CDK would skip because `acceptance-test-config.yml` does not list them.
    """
    keep, drop = [], []
    for item in items:
        name = getattr(item, "originalname", item.name)
        scenario = getattr(getattr(item, "callspec", None), "params", {}).get("scenario")
        command = _STANDARD_TEST_COMMANDS.get(name)
        if name.startswith("test_docker_image_"):
            drop.append(item)
        elif scenario is not None and command and not scenario.runs(command):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
