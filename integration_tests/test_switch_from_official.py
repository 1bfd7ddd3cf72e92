"""A connection switched from Airbyte's official connector keeps its state: ours continues from it, losing nothing
and re-sending little.

official_connector_state.json holds the states airbyte-source-zendesk-support 4.9.1 left on an emulated account,
captured with `bench/switch_check.py --save-state ...` (which also runs the whole switch live): after its first,
full sync (`after_full_sync`) and after a second, incremental one (`after_incremental_sync`, where ticket_metrics'
state has become per ticket, with its parent's state). Both hold every stream of ours the official connector has,
the twelve Help Center and community streams included: the per-article and per-post ones in the official's
per-partition shape (one cursor per article, post or comment under `states`, the stream's cursor under `state`, its
parents' states under `parent_state`, two levels deep for the comment votes). Each is fed to our connector as
captured, except that each stream's instants are moved together, format untouched, so that its position falls
inside this account's data: the capture's account is not this one. Partition keys are ids, never moved.

The official connector's 5.x line (a Docker image only: not installable here, so not captured) added deleted_tickets
and views; issue 19 gives their 5.x states as `{"updated_at": ...}` where incremental, none where not. Each capture
gets them (OFFICIAL_5X), placed like the rest: deleted_tickets in that shape in both, views in that shape after the
incremental sync and as a full refresh's no-cursor state after the full one.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scripts.airbyte_run import STREAM_CLASSES, STREAMS, configured_catalog, key_value, truth_resource
from source_zendesk_support.streams.help_center import Articles
from zendesk_emulator.data.guide import PARENT_OF

OFFICIAL_STATE = Path(__file__).parent / "official_connector_state.json"
OFFICIAL_5X = {
    "after_full_sync": {"deleted_tickets": {"updated_at": "2024-06-01T00:00:00Z"},
                        "views": {"__ab_no_cursor_state_message": True}},
    "after_incremental_sync": {"deleted_tickets": {"updated_at": "2024-06-02T00:00:00Z"},
                               "views": {"updated_at": "2024-06-02T00:00:00Z"}},
}
CAPTURES: dict[str, list[dict]] = {
    label: capture + [{"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": state}}
                      for name, state in OFFICIAL_5X[label].items()]
    for label, capture in json.loads(OFFICIAL_STATE.read_text()).items()}
# Streams whose position is a field of another stream's records, not of their own (our declaration: the position
# observes that stream, and `Position.cursor` names the records' own cursor): the official cursor stands for the
# same field of that stream's truth. ticket_metrics: the official `_ab_updated_at` is its ticket's
# generated_timestamp (official manifest.yaml:896-993, AddFields), and so is our position. And deleted_tickets: the
# official 5.x `updated_at` is when the ticket was deleted (a deleted ticket has no updated_at), our `deleted_at`.
CURSOR_STANDS_FOR = {name: (cls.position.observe, cls.position.key) for name, cls in STREAM_CLASSES.items()
                     if cls.position.observe and cls.position.cursor}
CURSOR_STANDS_FOR["deleted_tickets"] = ("deleted_tickets", "deleted_at")
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
_PLACE_AT = 0.9  # the share of a stream's records older than the position it is given
# Zendesk's article export lists the articles changed after its start_time, not at it: from the official position
# (its newest article's second, emitted by it) neither connector reads that second again, so nothing at it is owed.
AFTER_POSITION = {name for name, cls in STREAM_CLASSES.items() if cls.endpoint == Articles.endpoint}
# The streams Zendesk lists per article or post (through its comments for comment votes): an article or post changed
# since the state is asked for all of its records, so the unchanged ones of such a parent are re-sent.
PER_PARENT = {name: cls.pages_of for name, cls in STREAM_CLASSES.items()
              if cls.per_parent is not None and name in PARENT_OF}


def _is_instant(value: Any) -> bool:
    """Unix seconds (as the official writes them: digit strings, or ints in parent states) or ISO 8601 seconds."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 10**9
    return isinstance(value, str) and (bool(_ISO.match(value)) or (value.isdigit() and len(value) >= 10))


def _unix(value: Any) -> int:
    text = str(value)
    if text.isdigit():
        return int(text)
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def _moved(value: Any, seconds: int) -> Any:
    """`value` with every instant in it moved by `seconds`, each written as it was (a partition's ids stay)."""
    if isinstance(value, dict):
        return {k: v if k == "partition" else _moved(v, seconds) for k, v in value.items()}
    if isinstance(value, list):
        return [_moved(v, seconds) for v in value]
    if not _is_instant(value):
        return value
    moved = _unix(value) + seconds
    if isinstance(value, int):
        return moved
    return str(moved) if value.isdigit() else datetime.fromtimestamp(moved, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instants(value: Any) -> list[int]:
    """Every instant in a state; a per-partition state's `partition` holds ids (articles' are above 10**9), not
    instants."""
    if isinstance(value, dict):
        return [i for k, v in value.items() if k != "partition" for i in _instants(v)]
    if isinstance(value, list):
        return [i for v in value for i in _instants(v)]
    return [_unix(value)] if _is_instant(value) else []


def _innermost_parent(stream_state: dict) -> dict:
    """A per-partition state's first parent's state, through every level of `parent_state` (article_comment_votes:
    article_comments' state, then the articles'); the state itself when it has no parent."""
    while isinstance(stream_state.get("parent_state"), dict) and stream_state["parent_state"]:
        stream_state = next(iter(stream_state["parent_state"].values()))
    return stream_state


def _position(stream_state: dict) -> int:
    """The official position: everything before it was synced. A per-partition state's is its first parent's (the
    article export's, the posts'): the official connector asked every parent changed until then for its records, so
    the older per-partition cursors beside it add nothing; otherwise its newest instant."""
    return max(_instants(_innermost_parent(stream_state)))


def _cursor(stream: str, stream_state: dict) -> tuple[str, str]:
    """The truth resource and field the official cursor of `stream` is compared with: a plain state's instant key,
    or a per-partition state's cursor key (under `state`)."""
    if stream in CURSOR_STANDS_FOR:
        return CURSOR_STANDS_FOR[stream]
    cursor = stream_state["state"] if isinstance(stream_state.get("state"), dict) else stream_state
    key = next(k for k, v in cursor.items() if _is_instant(v))
    return truth_resource(stream), key


def _positioned(capture: list[dict]) -> dict[str, dict]:
    return {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in capture
            if _instants(s["stream"]["stream_state"])}


POSITIONED = sorted(set().union(*(_positioned(capture) for capture in CAPTURES.values())))
# Compared with their own truth (ticket_metrics' cursor is its tickets': a test of its own).
GENERIC = [s for s in POSITIONED if CURSOR_STANDS_FOR.get(s, (truth_resource(s),))[0] == truth_resource(s)]


def test_the_captured_states_cover_every_stream_of_ours_the_official_connector_has_in_both_shapes():
    names = {label: [s["stream"]["stream_descriptor"]["name"] for s in capture] for label, capture in CAPTURES.items()}
    assert set(names) == {"after_full_sync", "after_incremental_sync"}
    assert sorted(names["after_full_sync"]) == sorted(names["after_incremental_sync"])
    assert set(names["after_full_sync"]) <= set(STREAMS) and len(names["after_full_sync"]) >= 29 + 12
    # The shapes a switch meets: unix strings, ISO strings, a nested per-ticket state with its parent's, no cursor.
    incremental = _positioned(CAPTURES["after_incremental_sync"])
    assert "parent_state" in incremental["ticket_metrics"] and "states" in incremental["ticket_metrics"]
    assert _positioned(CAPTURES["after_full_sync"])["ticket_metrics"].keys() == {"_ab_updated_at"}
    assert {"created_at"} == incremental["ticket_comments"].keys() == incremental["audit_logs"].keys()
    assert any(s["stream"]["stream_state"] == {"__ab_no_cursor_state_message": True}
               for s in CAPTURES["after_full_sync"])
    # The 5.x streams: deleted_tickets from an `updated_at` state in both, views from one and from none.
    assert {"deleted_tickets", "views"} <= set(incremental) and "views" not in _positioned(CAPTURES["after_full_sync"])
    assert "deleted_tickets" in GENERIC and "views" in GENERIC
    # The Guide streams per article, post or comment: per-partition states whose position is their parents'.
    for capture in CAPTURES.values():
        states = _positioned(capture)
        for stream, parents in (("article_comments", ["articles"]), ("post_votes", ["posts"]),
                                ("article_comment_votes", ["article_comments", "articles"]),
                                ("post_comment_votes", ["post_comments", "posts"])):
            state = states[stream]
            assert {"state", "states", "parent_state"} <= state.keys() and len(state["states"]) > 1
            assert _cursor(stream, state) == (truth_resource(stream), "updated_at")
            for parent in parents:
                state = state["parent_state"][parent]
            assert _position(states[stream]) == _unix(state["updated_at"]) == max(_instants(states[stream]))
        # An article's id would pass for an instant: partitions are neither counted nor moved.
        votes = states["article_comment_votes"]
        partition = votes["states"][0]["partition"]
        assert partition["id"].keys() == {"article_id", "comment_id"} and _is_instant(partition["id"]["article_id"])
        assert _moved(votes, 60)["states"][0]["partition"] == partition


@pytest.fixture(scope="module")
def now(emulator) -> int:
    return int(emulator.control("GET", "clock")["now"])


@pytest.fixture(scope="module")
def truths(emulator) -> dict[str, list[dict]]:
    needed = {truth_resource(s) for s in POSITIONED} | {"tickets"} | {
        resource for s in PER_PARENT for resource in _chain(s)}
    return {resource: emulator.control("GET", f"truth/{resource}") for resource in needed}


def _placed(capture: list[dict], truths: dict[str, list[dict]], now: int) -> list[dict]:
    """The capture with each stream's instants moved so that its position is the instant of this account's data
    older than 90% of the stream's records (and out of the minute exports hold back)."""
    placed = json.loads(json.dumps(capture))
    for entry in placed:
        stream, stream_state = entry["stream"]["stream_descriptor"]["name"], entry["stream"]["stream_state"]
        if not _instants(stream_state):
            continue
        resource, field = _cursor(stream, stream_state)
        values = sorted(v for v in (_unix(row[field]) for row in truths[resource]) if v <= now - 60)
        target = values[int(_PLACE_AT * (len(values) - 1))]
        if target == values[-1] and values[0] < target:
            # The newest records share one second (a batch of changes made at once): a position there would leave
            # nothing after it for a list read from after its position (articles). The second before it, then.
            target = max(v for v in values if v < target)
        entry["stream"]["stream_state"] = _moved(stream_state, target - _position(stream_state))
    return placed


@pytest.fixture(scope="module", params=sorted(CAPTURES))
def switched(request, source, discovered_catalog, truths, now):
    """Our sync of every stream from one official state: (that state as given, by stream; the sync's result)."""
    state = _placed(CAPTURES[request.param], truths, now)
    result = source("read", catalog=configured_catalog(discovered_catalog, STREAMS), state=state)
    return _positioned(state), result


def test_given_an_official_state_when_reading_then_no_stream_fails(switched):
    _, result = switched
    assert result.exit_code == 0, result.stderr[-3000:]
    assert result.errors() == []


def _chain(stream: str) -> list[str]:
    """The truths from a per-parent stream up to its article or post (article_comment_votes: its comments, then the
    articles), as the emulator links them (PARENT_OF: the parent and the field naming it)."""
    chain, name = [], stream
    while name != PER_PARENT[stream]:
        name = PARENT_OF[name][0]
        chain.append(name)
    return chain


def _parent_changed(stream: str, truths: dict[str, list[dict]], since: int) -> set:
    """Keys of a per-parent stream's records whose article or post changed at or after `since` (all of them are
    sent again: Zendesk lists a parent's records whole)."""
    keys = set()
    index = {resource: {row["id"]: row for row in truths[resource]} for resource in _chain(stream)}
    for row in truths[truth_resource(stream)]:
        parent, name = row, stream
        for resource in _chain(stream):
            parent = index[resource].get(parent[PARENT_OF[name][1]]) if parent else None
            name = resource
        if parent is not None and _unix(parent["updated_at"]) >= since:
            keys.add(key_value(row, stream))
    return keys


def _delivered(expected: set, newer: set, result, stream: str) -> None:
    """`expected` (changed since the state, out of the exports' last minute) all emitted, once; of the records
    older than the state (not in `newer`), few re-sent: the boundary second, a parent's other children."""
    emitted = {key_value(record, stream) for record in result.records[stream]}
    assert expected, "the placed state must leave records to sync"
    assert expected <= emitted, f"{stream}: {len(expected - emitted)} records changed since the state not emitted"
    assert len(result.records[stream]) == len(emitted), f"{stream}: a record emitted twice"
    resent = len(emitted - newer)
    assert resent <= max(10, len(expected)), f"{stream}: {resent} records older than the state re-sent"


@pytest.mark.parametrize("stream", GENERIC)
def test_given_an_official_state_then_every_record_changed_since_it_is_emitted_and_few_others(
    switched, truths, now, stream
):
    official, result = switched
    if stream not in official:  # no official position in this capture (a full refresh's state): the whole list is owed
        owed = {key_value(row, stream) for row in truths[truth_resource(stream)]}
        _delivered(owed, owed, result, stream)
        return
    resource, field = _cursor(stream, official[stream])
    since = _position(official[stream])
    rows = [(key_value(row, stream), _unix(row[field])) for row in truths[resource]]
    first = since + 1 if stream in AFTER_POSITION else since
    expected = {key for key, at in rows if first <= at <= now - 60}
    newer = {key for key, at in rows if at >= since}  # the newest minute too: lists show it, exports not yet
    if stream in PER_PARENT:
        newer |= _parent_changed(stream, truths, first)
    _delivered(expected, newer, result, stream)


def test_given_an_official_ticket_metrics_state_then_metrics_of_tickets_exported_since_are_emitted(switched, truths, now):
    official, result = switched
    since = _position(official["ticket_metrics"])
    exported = {t["id"]: t["generated_timestamp"] for t in truths["tickets"]}
    metrics = truths[truth_resource("ticket_metrics")]
    expected = {m["id"] for m in metrics if since <= exported[m["ticket_id"]] <= now - 60}
    newer = {m["id"] for m in metrics if exported[m["ticket_id"]] >= since}
    _delivered(expected, newer, result, "ticket_metrics")


def test_given_an_official_state_then_our_own_state_shapes_come_out(switched):
    _, result = switched
    ours = {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in result.latest_state()}
    assert isinstance(ours["tickets"]["generated_timestamp"], int)
    assert isinstance(ours["ticket_metrics"]["generated_timestamp"], int)
    assert not {"_ab_updated_at", "parent_state", "states", "use_global_cursor"} & ours["ticket_metrics"].keys()
    assert "created_at" not in ours["ticket_comments"] and "timestamp" in ours["ticket_comments"]
    assert "deleted_at" in ours["deleted_tickets"] and "updated_at" not in ours["deleted_tickets"]
    assert "updated_at" in ours["views"]


@pytest.mark.parametrize(("stream", "values"), [("tickets", "custom_fields"), ("users", "user_fields"),
                                                ("organizations", "organization_fields")])
def test_given_an_official_state_then_records_carry_the_custom_field_columns_and_the_raw_fields_as_before(
        switched, discovered_catalog, stream, values):
    # The official connector's raw fields stay as they were (its state and records go on), and the typed columns
    # discovered for the account come with them from the first sync after the switch.
    _, result = switched
    schema = next(s["json_schema"] for s in discovered_catalog["streams"] if s["name"] == stream)
    columns = {name for name, column in schema["properties"].items() if "x-zendesk-field-id" in column}
    records = result.records[stream]
    assert columns and records and all(values in record for record in records)
    filled = 0
    for record in records:
        raw = ({f["id"]: f["value"] for f in record[values]} if isinstance(record[values], list) else
               {key: record[values].get(key) for key in record[values]})
        for name in columns & set(record):
            column = schema["properties"][name]
            value = raw[column.get("x-zendesk-field-key", column["x-zendesk-field-id"])]
            assert value is not None, (record["id"], name)  # a column holds a value only where the raw field does
            if column["type"][1] == "string" and "format" not in column:
                assert record[name] == value
            filled += 1
    assert filled  # the columns come with the first sync after the switch
