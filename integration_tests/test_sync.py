"""Full and incremental syncs of every stream through the real entrypoint, checked against the emulator's truth."""

from __future__ import annotations

import re

import jsonschema
import pytest

from scripts.airbyte_run import (
    AWAITING_EMULATOR,
    STREAM_CLASSES,
    STREAMS,
    configured_catalog,
    key_value,
    projection,
    truth_view,
)
from source_zendesk_support.per_parent import PerParentList
from source_zendesk_support.state import to_unix
from zendesk_emulator.resources.declaration import ChangedThrough
from zendesk_emulator.resources.registry import BY_NAME as EMULATED
from zendesk_emulator.testing import EmulatorError

# The streams Zendesk serves only per parent record (side_conversations per ticket, comments and votes per article
# or post, comment votes per comment of those), and the lists each asks for, outermost first.
PER_RECORD = {name: STREAM_CLASSES[name].per_parent for name in STREAMS if STREAM_CLASSES[name].per_parent is not None}
# How a stream's log line counts one level of its per-record requests (per_parent.PerParentReader.summary).
LEVEL = re.compile(r"(\d+) per-\w+ requests for (\d+) \w+s(?: \((\d+) \w+s skipped as they cannot have any, "
                   r"(\d+) refused by Zendesk\))?")


def _levels(lists: PerParentList) -> list[PerParentList]:
    levels = [lists]
    while levels[-1].nested is not None:
        levels.append(levels[-1].nested)  # type: ignore[arg-type]
    return levels


def _route(lists: PerParentList) -> str:
    """The emulator's name for a list's route: "GET help_center/articles/{id}/comments/{id}/votes"."""
    return "GET " + re.sub(r"\{[^}]+\}", "{id}", lists.path.removesuffix(".json"))


def _summary(result, stream: str) -> list[tuple[int, int, int]]:
    """(requests, rows asked, rows skipped) per level, as the stream's last log line says."""
    lines = [line for line in _logged(result) if line.startswith(f"{stream}: ") and " per-" in line]
    assert lines, f"{stream} logged no count of its per-record requests"
    return [(int(m[1]), int(m[2]), int(m[3] or 0)) for m in LEVEL.finditer(lines[-1])]


def _assert_routes_add_up(result, by_route: dict) -> None:
    """Every per-record request the emulator served is one a stream's log line counts, route by route."""
    counted: dict[str, int] = {}
    for stream, lists in PER_RECORD.items():
        levels = _summary(result, stream)
        assert len(levels) == len(_levels(lists)), (stream, levels)
        for spec, (requests, _, _) in zip(_levels(lists), levels, strict=True):
            counted[_route(spec)] = counted.get(_route(spec), 0) + requests
    served = {route: n for route, n in by_route.items() if "{" in route}
    assert served == {route: n for route, n in counted.items() if n}


@pytest.fixture(scope="module")
def catalog(discovered_catalog):
    return configured_catalog(discovered_catalog, STREAMS)


@pytest.fixture(scope="module")
def full_sync(source, catalog, emulator):
    emulator.control("POST", "stats/reset")
    result = source("read", catalog=catalog)
    assert result.exit_code == 0, result.stderr[-3000:]
    return result, emulator.control("GET", "stats")


@pytest.mark.parametrize("stream", STREAMS)
def test_given_the_account_when_a_full_sync_runs_then_each_stream_equals_the_ground_truth(full_sync, emulator, stream):
    result, _ = full_sync
    fields, expected = truth_view(emulator, stream)
    emitted = projection(result.records[stream], stream, fields)
    assert len(result.records[stream]) == len(emitted), "no record may be emitted twice within a sync"
    assert emitted.keys() == expected.keys()
    assert emitted == expected


def test_given_the_streams_awaiting_the_emulator_then_it_still_has_no_truth_for_any_of_them(emulator):
    # Once the emulator serves one, it leaves AWAITING_EMULATOR and joins every test above and below.
    for stream in sorted(AWAITING_EMULATOR):
        with pytest.raises(EmulatorError, match="404"):
            emulator.control("GET", f"truth/{stream}")
    assert set(STREAMS) | AWAITING_EMULATOR == set(STREAM_CLASSES)


def test_given_a_full_sync_then_every_record_validates_against_its_discovered_schema(full_sync, discovered_catalog):
    result, _ = full_sync
    schemas = {s["name"]: s["json_schema"] for s in discovered_catalog["streams"]}
    for stream in STREAMS:
        validator = jsonschema.Draft7Validator(schemas[stream])
        for record in result.records[stream]:
            errors = list(validator.iter_errors(record))
            assert not errors, f"{stream} {key_value(record, stream)}: {errors[0].message} at {list(errors[0].path)}"


def test_given_a_full_sync_then_only_streams_zendesk_lists_per_record_ask_per_record(full_sync, emulator):
    result, stats = full_sync
    _assert_routes_add_up(result, stats["by_route"])
    # Each per-record stream went over every parent once: asked it, or skipped it because its fields say it has none
    # (a deleted ticket, an article nobody voted on). Side conversations: one request per live ticket (each has fewer
    # than a page of threads).
    for stream in PER_RECORD:
        parents = emulator.control("GET", f"truth/{STREAM_CLASSES[stream].pages_of}")
        (_, asked, skipped), *_ = _summary(result, stream)
        assert asked + skipped == len(parents), stream
    live = [t for t in emulator.control("GET", "truth/tickets") if t["status"] != "deleted"]
    assert _summary(result, "side_conversations")[0][:2] == (len(live), len(live))
    # The conversation log: one request per live messaging ticket, none for any other ticket.
    messaging = [t for t in live if t["via"]["channel"] in PER_RECORD["conversation_log"].only["via.channel"]]
    assert messaging and _summary(result, "conversation_log")[0][:2] == (len(messaging), len(messaging))
    # Every other request is a page: far fewer requests than records.
    per_record = sum(n for route, n in stats["by_route"].items() if "{" in route)
    assert stats["requests_total"] - per_record < sum(result.counts().values()) / 20


def test_given_a_full_sync_then_a_state_is_emitted_for_every_incremental_stream(full_sync, catalog):
    result, _ = full_sync
    incremental = {c["stream"]["name"] for c in catalog["streams"] if c["sync_mode"] == "incremental"}
    assert {s["stream"]["stream_descriptor"]["name"] for s in result.latest_state()} >= incremental


def test_given_changes_after_a_sync_when_the_next_incremental_sync_runs_then_it_emits_them_and_little_else(
    source, catalog, emulator, full_sync
):
    first, _ = full_sync
    before = {stream: truth_view(emulator, stream)[1] for stream in STREAMS}
    larger = {"tickets": {"create": 12, "update": 30, "delete": 2}, "users": {"create": 5, "update": 8, "delete": 1},
              "organizations": {"create": 3, "update": 6, "delete": 0}}
    changed_resources = {resource: _change(emulator, resource, larger.get(resource, {"create": 1, "update": 1,
                                                                                  "delete": 1}))
                         for resource in STREAMS}
    assert sum(bool(kinds) for kinds in changed_resources.values()) >= len(STREAMS) // 2, changed_resources
    emulator.control("POST", "clock/advance", json={"seconds": 120})  # out of the minute exports hold back
    views = {stream: truth_view(emulator, stream) for stream in STREAMS}
    after = {stream: view for stream, (_, view) in views.items()}

    emulator.control("POST", "stats/reset")
    second = source("read", catalog=catalog, state=first.latest_state())
    assert second.exit_code == 0, second.stderr[-3000:]
    _assert_per_record_requests_only_for_changed_records(emulator, first, second)

    modes = {c["stream"]["name"]: c["sync_mode"] for c in catalog["streams"]}
    for stream in STREAMS:
        emitted = projection(second.records[stream], stream, views[stream][0])
        changed = {key for key, value in after[stream].items() if before[stream].get(key) != value}
        assert len(second.records[stream]) == len(emitted), f"{stream}: a record emitted twice"
        assert changed <= emitted.keys(), f"{stream}: changes not synced: {sorted(changed - emitted.keys())[:5]}"
        assert {key: after[stream][key] for key in changed} == {key: emitted[key] for key in changed}
        if modes[stream] == "incremental" and stream not in PER_RECORD:
            # Unchanged records come back only from the boundary second the previous state pointed at. (A stream
            # asking per parent gets the whole list of each parent changed since, and asks only those: checked above.)
            unchanged = len(emitted.keys() - changed)
            assert unchanged <= max(10, len(changed)), f"{stream}: {unchanged} unchanged records re-emitted"


def _assert_per_record_requests_only_for_changed_records(emulator, first, second) -> None:
    """An incremental sync goes over only the parents changed since its position (tickets on the ticket export,
    articles on the article export, posts updated since on the post list), and perhaps some just before it (an export
    starts at the position, or up to five minutes earlier), never over the whole tree again; of those it asks the ones
    whose fields say they have records. A stream with no position (schedule_holidays: a full refresh, a handful of
    schedules) goes over every parent each time, and so does one keeping a position per parent (custom object records:
    each object's export from that object's own place, row_state.py)."""
    _assert_routes_add_up(second, emulator.control("GET", "stats")["by_route"])
    for stream in PER_RECORD:
        position_of = STREAM_CLASSES[stream].position
        if not position_of.key or getattr(position_of, "every_row", False):  # full refresh, or one export per row
            (_, asked, skipped), *_ = _summary(second, stream)
            assert asked + skipped == len(emulator.control("GET", f"truth/{STREAM_CLASSES[stream].pages_of}"))
            continue
        saved = next(s["stream"]["stream_state"] for s in first.latest_state()
                     if s["stream"]["stream_descriptor"]["name"] == stream)
        position = to_unix(saved[position_of.key])
        parents = emulator.control("GET", f"truth/{STREAM_CLASSES[stream].pages_of}")
        live = [p for p in parents if p.get("status") != "deleted"]
        changed = [p for p in live if to_unix(p[position_of.field]) > position]
        near = [p for p in parents if to_unix(p[position_of.field]) >= position - 300]
        (_, asked, skipped), *_ = _summary(second, stream)
        assert 0 < len(changed) <= asked + skipped <= len(near) < len(parents), (stream, asked, skipped)


def _logged(result) -> list[str]:
    return [log.get("message", "") for log in result.logs]


def _change(emulator, resource: str, change: dict) -> list[str]:
    """Creates, updates and deletes records of `resource` as far as Zendesk allows for it (some records are
    append-only, some cannot be deleted, some only follow others); returns the kinds of change made. A resource whose
    declaration says another resource's mutation changes it (ChangedThrough: ticket events follow tickets) is left to
    that one; any other must have a mutation that takes some change."""
    if isinstance(EMULATED[resource].mutate, ChangedThrough):
        return []
    for kinds in (("create", "update", "delete"), ("create", "update"), ("create",), ("update",)):
        try:
            emulator.control("POST", "mutate", json={"resource": resource, **{k: change[k] for k in kinds}})
        except EmulatorError as error:
            if "-> 404" in str(error):
                pytest.fail(f"{resource}: the emulator has no mutation for it ({error}): declare one in "
                            "zendesk_emulator/resources/, or the resource whose mutation changes it (ChangedThrough)")
            continue
        return list(kinds)
    pytest.fail(f"{resource}: its mutation refused every change (create, update, delete)")
