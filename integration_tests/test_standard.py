"""Airbyte's standard connector tests (the successor of the acceptance tests), offline against the emulator."""

from __future__ import annotations

import json

import pytest
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase

from integration_tests.conftest import EMULATOR_CONFIG
from source_zendesk_support.source import SourceZendeskSupport


@pytest.fixture(autouse=True, scope="module")
def _emulated_account(emulator, emulator_env):
    """The scenarios' config file names the emulated account; the process env routes to it."""
    EMULATOR_CONFIG.write_text(json.dumps(emulator.info["config"], indent=2))
    yield
    EMULATOR_CONFIG.unlink(missing_ok=True)


class TestZendeskSupportStandard(SourceTestSuiteBase):
    connector = SourceZendeskSupport
