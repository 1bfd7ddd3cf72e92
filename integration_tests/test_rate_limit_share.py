"""rate_limit_percent=50 against an emulated Team account (200 requests and 10 exports a minute): in every emulated
minute the connector spends at most half of each limit, and the sync is still complete.

The emulated clock runs 20 times faster than the wall clock (a minute lasts 3 s): fast enough for a few seconds of
test, slow enough that Zendesk's `ratelimit-reset` (whole real seconds) still tells one minute from the next, as it
does at Zendesk, where the pacer reads the minute's end from it.
"""

from __future__ import annotations

import os
import sys
from collections import Counter

from integration_tests.conftest import ROOT
from scripts.airbyte_run import key_value, run_source, truth_resource
from zendesk_emulator.testing import EmulatorProcess

ACCOUNT_LIMIT, EXPORT_LIMIT = 200, 10  # the Team plan
SHARE = 50
# Exports (tickets with side_conversations' parents, users, organizations, ticket_events) and one request per ticket
# (side_conversations): more than half a minute's worth of each, so the share has to hold them back.
STREAMS = ("tickets", "side_conversations", "users", "organizations", "ticket_events", "ticket_metric_events")


def _catalog() -> dict:
    return {"streams": [{"stream": {"name": name, "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                         "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"} for name in STREAMS]}


def test_given_half_the_rate_limit_then_no_emulated_minute_gets_more_than_half_and_the_sync_is_complete():
    settings = {"features": {"side_conversations": True}}
    with EmulatorProcess(seed=29, tickets=150, plan="team", time_scale=20, settings=settings) as emu:
        config = {**emu.info["config"], "rate_limit_percent": SHARE}
        result = run_source([sys.executable, str(ROOT / "main.py")], "read", config=config, catalog=_catalog(),
                            env={**os.environ, **emu.client_env()}, keep_records=False, timeout=120)
        stats = emu.control("GET", "stats")
        truth = {name: {key_value(row, name) for row in emu.control("GET", f"truth/{truth_resource(name)}")}
                 for name in STREAMS}

    assert result.exit_code == 0, result.stderr[-3000:]
    for name in STREAMS:
        assert {key_value(row, name) for row in result.records[name]} == truth[name], name
    minutes = stats["by_minute"]
    assert max(m["requests"] for m in minutes) <= ACCOUNT_LIMIT * SHARE // 100, minutes
    assert max(m["exports"] for m in minutes) <= EXPORT_LIMIT * SHARE // 100, minutes
    # The share was needed: the sync spent more than one minute's share of each limit.
    assert sum(m["requests"] for m in minutes) > ACCOUNT_LIMIT * SHARE // 100
    assert sum(m["exports"] for m in minutes) > EXPORT_LIMIT * SHARE // 100
    assert Counter(stats["by_status"]).get("429", 0) == 0
