"""OAuth against the emulator's token endpoint: Zendesk rotates refresh tokens, so the new pair must be persisted."""

from __future__ import annotations

import pytest

from scripts.airbyte_run import configured_catalog


@pytest.fixture(scope="module")
def tags_catalog(discovered_catalog):
    return configured_catalog(discovered_catalog, ["tags"], incremental=False)


def _updated_configs(result) -> list[dict]:
    return [c["connectorConfig"]["config"] for c in result.controls if c.get("type") == "CONNECTOR_CONFIG"]


def test_given_a_refresh_token_when_reading_then_the_rotated_pair_is_emitted_and_the_next_sync_uses_it(
    source, emulator, tags_catalog
):
    config = emulator.info["oauth_config"]
    first = source("read", config=config, catalog=tags_catalog)
    assert first.exit_code == 0, first.stderr[-2000:]
    assert first.records["tags"]
    updated = _updated_configs(first)
    assert updated, "the rotated refresh token must reach Airbyte as a config-update control message"
    new_credentials = updated[-1]["credentials"]
    assert new_credentials["refresh_token"] != config["credentials"]["refresh_token"]

    # The old refresh token was spent by the first sync: Zendesk refuses it, and the message says what to do.
    stale = source("read", config=config, catalog=tags_catalog)
    errors = stale.errors()
    assert errors and errors[0]["failure_type"] == "config_error"
    assert "refresh token" in errors[0]["message"].lower()
    assert config["credentials"]["refresh_token"] not in str(stale.logs) + str(stale.traces) + stale.stderr

    second = source("read", config=updated[-1], catalog=tags_catalog)
    assert second.exit_code == 0, second.stderr[-2000:]
    assert len(second.records["tags"]) == len(first.records["tags"])


def test_given_an_access_token_when_checking_then_it_succeeds(source, emulator):
    result = source("check", config=emulator.info["oauth_access_config"])
    statuses = [m["connectionStatus"]["status"] for m in result.other if m.get("type") == "CONNECTION_STATUS"]
    assert statuses == ["SUCCEEDED"]
