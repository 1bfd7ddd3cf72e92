"""Item 2, interruption: the connector is SIGKILLed at random points across a long sync and restarted each time
from the last STATE it emitted, as Airbyte does. Only records a destination would keep count: those followed by a
STATE of their stream. Then one stream loses its state beside others that keep theirs (a per-stream reset).

- The union of kept records equals the ground truth for every stream.
- Per resume, the records re-emitted that an earlier attempt had already delivered (kept) stay within one page
  for every incremental stream. Full-refresh streams (tags, group_memberships) are small lists read whole on
  every attempt by design: they are reported, not bounded.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from zendesk_emulator.testing import EmulatorProcess

from .harness import (
    PAGE_SIZE,
    STREAM_CLASSES,
    STREAMS,
    catalog_for,
    connector_env,
    count,
    duplicates,
    key_value,
    run_connector,
    sized,
    truth_keys,
)

pytestmark = pytest.mark.reliability

KILLS = sized(12, 20)
TICKETS = sized(3000, 20000)
FULL_REFRESH = {stream for stream in STREAMS if not STREAM_CLASSES[stream].position.key}


@pytest.fixture(scope="module")
def emulator():
    with EmulatorProcess(seed=53, tickets=TICKETS, plan="unlimited") as emu:
        yield emu


@pytest.fixture(scope="module")
def catalog(discovered):
    return catalog_for(discovered)


def test_given_twenty_kills_when_each_attempt_resumes_from_the_last_state_then_nothing_is_lost_and_little_repeats(
    emulator, catalog
):
    env = connector_env(emulator)
    config = emulator.info["config"]
    truth = {stream: truth_keys(emulator, stream) for stream in STREAMS}
    total = sum(len(keys) for keys in truth.values())
    kept: dict[str, set] = defaultdict(set)
    state: list[dict] = []
    rng = random.Random(20)
    worst: dict[str, int] = defaultdict(int)

    def resume(kill_after: int | None):
        nonlocal state
        run = run_connector("read", env, config=config, catalog=catalog, state=state, kill_after_records=kill_after)
        for stream in STREAMS:
            rows = run.records(stream)
            assert duplicates(rows, stream) == 0, f"{stream}: a record twice within one attempt"
            again = {key_value(row, stream) for row in rows} & kept[stream]
            worst[stream] = max(worst[stream], len(again))
            if stream not in FULL_REFRESH:
                assert len(again) <= PAGE_SIZE[stream], (
                    f"{stream}: {len(again)} delivered records re-emitted; it began from "
                    f"{[s['stream'].get('stream_state') for s in state if s['stream']['stream_descriptor']['name'] == stream]}"
                    f", its states now: {[s['stream'].get('stream_state') for s in run.states() if s['stream']['stream_descriptor']['name'] == stream]}"
                )
        for stream, rows in run.committed().items():
            kept[stream] |= {key_value(row, stream) for row in rows}
        state = run.latest_state(previous=state)
        return run

    for kill in range(KILLS):
        missing = total - sum(len(kept[s] & truth[s]) for s in STREAMS)
        run = resume(rng.randint(1, max(1, missing // 3)))
        assert run.killed, f"attempt {kill} ended before its kill point: {run.describe()}"
    final = resume(None)
    assert final.exit_code == 0 and not final.errors(), final.describe()

    for stream in STREAMS:
        assert kept[stream] == truth[stream], f"{stream}: lost {sorted(truth[stream] - kept[stream])[:5]}"
    count("interruption", kills_survived=KILLS, records_lost=0, records=total,
          **{f"max_reemitted_per_resume_{s}": worst[s] for s in STREAMS})  # fmt: skip


@pytest.fixture(scope="module")
def synced_state(emulator, catalog) -> list[dict]:
    first = run_connector("read", connector_env(emulator), config=emulator.info["config"], catalog=catalog)
    assert first.exit_code == 0, first.describe()
    return first.latest_state()


@pytest.mark.parametrize("reset", ["tickets", "organizations", "ticket_audits", "macros"])
def test_given_one_stream_without_state_beside_others_with_state_then_it_reads_whole_and_the_others_resume(
    emulator, catalog, synced_state, reset
):
    env = connector_env(emulator)
    state = [s for s in synced_state if s["stream"]["stream_descriptor"]["name"] != reset]

    second = run_connector("read", env, config=emulator.info["config"], catalog=catalog, state=state)

    assert second.exit_code == 0 and not second.errors(), second.describe()
    assert {key_value(row, reset) for row in second.records(reset)} == truth_keys(emulator, reset)
    for stream in STREAMS:
        if stream in FULL_REFRESH or stream == reset:
            continue
        again = len(second.records(stream))
        assert again <= PAGE_SIZE[stream], f"{stream} kept its state but re-emitted {again} records"
    count("per-stream reset", streams_reset=1)
