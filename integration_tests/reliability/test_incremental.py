"""Item 3, incremental correctness: rounds of creates, updates and deletes on every resource between incremental
syncs, each started from the state the previous one emitted. The emulated clock stands still except when a test
moves it, so changes land exactly where they hurt:

- changes made just before a sync, inside the minute Zendesk's exports leave out (they must come in a later sync);
- changes in the same second as the previous sync's cursor (audits, and lists, which Zendesk does not filter);
- 1,000+ organizations updated in one second, on the time-based export.

After every sync: no record twice within the sync, and every change the sync could see (everything but the
exports' last minute) has arrived with its latest values. After a last sync past that minute: every change has.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from scripts.airbyte_run import STREAM_CLASSES, projection, truth_view
from source_zendesk_support.state import to_unix
from zendesk_emulator.testing import EmulatorProcess

from .harness import (
    STREAMS,
    catalog_for,
    connector_env,
    count,
    duplicates,
    run_connector,
    sized,
)

pytestmark = pytest.mark.reliability

ROUNDS = sized(3, 8)
BURST = sized(1200, 2500)  # organizations updated in one second (the account has 2,500)
# The streams read from an incremental export, which leaves out its last minute.
EXPORTS = {stream for stream in STREAMS if STREAM_CLASSES[stream].endpoint.startswith("incremental/")}
EXCLUDED_MINUTE = 60
# Before the clock moves past the exports' last minute...
EARLY = {
    "tickets": {"create": 15, "update": 40, "delete": 3},
    "users": {"create": 4, "update": 10, "delete": 1},
    "organizations": {"create": 2, "update": 8, "delete": 1},
    "groups": {"create": 1, "update": 2, "delete": 1},
    "group_memberships": {"create": 2, "update": 2, "delete": 1},
    "macros": {"create": 2, "update": 3, "delete": 1},
    "ticket_fields": {"create": 1, "update": 2, "delete": 0},
    "tags": {"create": 1, "update": 2, "delete": 1},
    "views": {"create": 1, "update": 1, "delete": 1},
    # Deleted tickets and users: create deletes live ones, delete removes listed ones for good; suspended tickets:
    # create suspends emails, delete recovers them. None is ever updated.
    "deleted_tickets": {"create": 1, "update": 0, "delete": 1},
    "deleted_users": {"create": 1, "update": 0, "delete": 1},
    "suspended_tickets": {"create": 2, "update": 0, "delete": 1},
}
# ...and after it: inside the minute the exports leave out when the sync runs.
LATE = {
    "tickets": {"create": 5, "update": 10, "delete": 1},
    "users": {"create": 1, "update": 3, "delete": 0},
    "organizations": {"create": 1, "update": 3, "delete": 0},
    "macros": {"create": 0, "update": 2, "delete": 0},
    "groups": {"create": 0, "update": 1, "delete": 0},
}


@pytest.fixture(scope="module")
def emulator():
    # time_scale 1e-6: the emulated clock moves only through clock/advance.
    with EmulatorProcess(seed=67, tickets=sized(3000, 10000), plan="unlimited", time_scale=1e-6) as emu:
        yield emu


FIELDS: dict[str, tuple[str, ...]] = {}  # the truth's compared fields per stream, learnt from the first truth read


def _truth(emulator) -> dict[str, dict]:
    views = {s: truth_view(emulator, s) for s in STREAMS}
    FIELDS.update({s: fields for s, (fields, _) in views.items()})
    return {s: view for s, (_, view) in views.items()}


def _projection(rows: list[dict], stream: str) -> dict:
    return projection(rows, stream, FIELDS[stream])


def _unix(value) -> int:
    return to_unix(value)


def _visible(stream: str, value: dict, cutoff: int, truth: dict[str, dict]) -> bool:
    """Whether an export could return this record now (Zendesk leaves out the last minute); lists always can. A
    sideload rides on its carrier's export position (ticket_metrics on its ticket's, user_identities on its user's),
    named by `<carrier>_id`; any other export record on its own cursor."""
    if stream not in EXPORTS:
        return True
    declared = STREAM_CLASSES[stream]
    if declared.position.observe and declared.pages_of:
        carrier = truth[declared.pages_of].get(value[f"{declared.pages_of.removesuffix('s')}_id"])
        return carrier is None or _unix(carrier[STREAM_CLASSES[declared.pages_of].cursor_field]) <= cutoff
    return _unix(value[declared.cursor_field]) <= cutoff


def _mutate(emulator, changes: dict[str, dict]) -> int:
    changed = 0
    for resource, amounts in changes.items():
        summary = emulator.control("POST", "mutate", json={"resource": resource, **amounts})
        changed += sum(len(summary.get(kind, [])) for kind in ("created", "updated", "deleted"))
    return changed


def test_given_rounds_of_changes_between_incremental_syncs_then_every_change_arrives_once(emulator, discovered):
    env = connector_env(emulator)
    config, catalog = emulator.info["config"], catalog_for(discovered)
    _truth(emulator)  # learns the fields compared per stream
    delivered: dict[str, dict] = defaultdict(dict)  # the latest values each record arrived with
    state: list[dict] = []
    changes = same_second_audits = 0

    def sync(label: str) -> None:
        nonlocal state
        run = run_connector("read", env, config=config, catalog=catalog, state=state)
        assert run.exit_code == 0 and not run.errors(), f"{label}: {run.describe()}"
        for stream in STREAMS:
            rows = run.records(stream)
            assert duplicates(rows, stream) == 0, f"{label}: {stream} emitted a record twice in one sync"
            delivered[stream].update(_projection(rows, stream))
        state = run.latest_state(previous=state)

    def pending(only_visible: bool) -> dict[str, list]:
        truth = _truth(emulator)
        cutoff = int(emulator.control("GET", "clock")["now"]) - EXCLUDED_MINUTE
        return {
            stream: missing
            for stream in STREAMS
            if (
                missing := sorted(
                    key
                    for key, value in truth[stream].items()
                    if delivered[stream].get(key) != value
                    and (not only_visible or _visible(stream, value, cutoff, truth))
                )
            )  # fmt: skip
        }

    sync("first sync")
    assert pending(only_visible=False) == {}
    for round_ in range(ROUNDS):
        audit_cursor = next(
            s["stream"]["stream_state"]["created_at"]
            for s in state
            if s["stream"]["stream_descriptor"]["name"] == "ticket_audits"
        )
        changes += _mutate(emulator, EARLY)
        if round_ == 0:
            changes += _mutate(emulator, {"organizations": {"update": BURST}})
        # Audits written now share the second of the previous sync's audit cursor from the second round on.
        audits = emulator.control("GET", "truth/ticket_audits")
        same_second_audits += sum(1 for a in audits if a["created_at"] == audit_cursor)
        emulator.control("POST", "clock/advance", json={"seconds": EXCLUDED_MINUTE + 1})
        changes += _mutate(emulator, LATE)
        sync(f"round {round_ + 1}")
        assert pending(only_visible=True) == {}, f"round {round_ + 1}: visible changes not synced"
    emulator.control("POST", "clock/advance", json={"seconds": EXCLUDED_MINUTE + 1})
    sync("last sync")
    assert pending(only_visible=False) == {}, "changes lost"

    assert same_second_audits > 0, "no audit landed in the second of the previous cursor: the test lost its edge"
    count("incremental", syncs=ROUNDS + 2, changes_made=changes, changes_lost=0, emitted_twice_within_a_sync=0,
          organizations_in_one_second=BURST, audits_in_previous_cursor_second=same_second_audits,
          changes_inside_excluded_minute=ROUNDS * sum(sum(v.values()) for v in LATE.values()))  # fmt: skip
