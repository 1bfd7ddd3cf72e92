"""Custom fields as typed columns (issue 18) against an emulated account of its own (its field lists are changed):
discover's tickets, users and organizations schemas hold one typed column per active custom field of the account, a
full read fills every record's columns with its converted raw values, a renamed field keeps its column, an added one
comes at the next discover, a deactivated one leaves, and a field list Zendesk refuses leaves its stream's schema
standard. About 10 s."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.airbyte_run import configured_catalog, run_source
from zendesk_emulator.testing import EmulatorProcess

ROOT = Path(__file__).resolve().parents[1]
STREAMS = {"tickets": ("ticket_fields", "custom_fields"), "users": ("user_fields", "user_fields"),
           "organizations": ("organization_fields", "organization_fields")}
# The type table: a custom field's type -> its column's JSON type (and format).
TYPES = {"text": ("string", None), "textarea": ("string", None), "regexp": ("string", None),
         "partialcreditcard": ("string", None), "tagger": ("string", None), "dropdown": ("string", None),
         "integer": ("integer", None), "decimal": ("number", None), "checkbox": ("boolean", None),
         "date": ("string", "date"), "multiselect": ("array", None), "lookup": ("integer", None)}
SYSTEM_TICKET_FIELDS = {"subject", "description", "status", "tickettype", "priority", "group", "assignee"}
COUNT = re.compile(r"Custom field columns of '(\w+)': (\d+) values that do not convert")


@pytest.fixture(scope="module")
def emulator():
    with EmulatorProcess(seed=3, tickets=300, plan="unlimited") as emu:
        yield emu


def _run(emulator, verb: str, **kwargs):
    env = {**os.environ, **emulator.client_env()}
    kwargs.setdefault("config", emulator.info["config"])
    return run_source([sys.executable, str(ROOT / "main.py")], verb, env=env, **kwargs)


def _discover(emulator) -> tuple[dict, list[str]]:
    result = _run(emulator, "discover")
    (catalog,) = [m["catalog"] for m in result.other if m.get("type") == "CATALOG"]
    warned = [log["message"] for log in result.logs if log["level"] == "WARN" and "custom field" in log["message"]]
    return {s["name"]: s for s in catalog["streams"]}, warned


def _columns(stream: dict) -> dict[str, dict]:
    return {name: c for name, c in stream["json_schema"]["properties"].items() if "x-zendesk-field-id" in c}


def _fields(emulator, resource: str) -> list[dict]:
    session = emulator.session()
    body = session.get(emulator.url(f"{resource}.json"), auth=emulator.api_token_auth(), timeout=30).json()
    return body[resource]


def _expected(value: Any, column: dict) -> Any:
    """A raw value of the emulator's as its column must hold it; None: the column stays null."""
    kind = column["type"][1]
    if value is None:
        return None
    if kind == "integer":
        return value if type(value) is int else int(value) if isinstance(value, str) and value.isdigit() else None
    if kind == "number":
        return value if type(value) in (int, float) else None
    if kind == "boolean":
        return value if type(value) is bool else None
    if kind == "array":
        return value if isinstance(value, list) else None
    if column.get("format") == "date":
        return value if re.fullmatch(r"\d{4}-\d\d-\d\d", value) else None
    return value if isinstance(value, str) else None


@pytest.fixture(scope="module")
def discovered(emulator):
    return _discover(emulator)


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_given_the_account_when_discover_then_one_typed_column_per_active_custom_field(emulator, discovered, stream):
    streams, warned = discovered
    resource = STREAMS[stream][0]
    custom = [f for f in _fields(emulator, resource) if f["active"] and f["type"] not in SYSTEM_TICKET_FIELDS]
    columns = _columns(streams[stream])
    assert not warned
    assert sorted(c["x-zendesk-field-id"] for c in columns.values()) == sorted(f["id"] for f in custom)
    by_id = {c["x-zendesk-field-id"]: c for c in columns.values()}
    for field in custom:
        column = by_id[field["id"]]
        assert (column["type"][1], column.get("format")) == TYPES[field["type"]], field["type"]
        assert field["title"] in column["description"]
    assert {f["type"] for f in custom} >= set(TYPES) - ({"dropdown"} if stream == "tickets" else
                                                        {"tagger", "partialcreditcard"})


@pytest.fixture(scope="module")
def synced(emulator, discovered):
    streams, _ = discovered
    result = _run(emulator, "read", catalog=configured_catalog({"streams": list(streams.values())}, list(STREAMS)))
    assert result.exit_code == 0, result.stderr[-3000:]
    return result


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_given_a_full_read_then_every_record_holds_its_converted_values_and_the_log_counts_the_others(
        discovered, synced, stream):
    columns = _columns(discovered[0][stream])
    values = STREAMS[stream][1]
    unconvertible = 0
    for record in synced.records[stream]:
        raw = record[values]
        for name, column in columns.items():
            if stream == "tickets":
                value = next((f["value"] for f in raw if f["id"] == column["x-zendesk-field-id"]), None)
            else:
                value = raw.get(column["x-zendesk-field-key"])
            expected = _expected(value, column)
            assert record.get(name) == expected, (record["id"], name, value)
            unconvertible += value is not None and expected is None
    assert unconvertible  # the account holds a few legacy values, as real ones do
    counts = [m.groups() for log in synced.logs if (m := COUNT.match(log["message"]))]
    assert (stream, str(unconvertible)) in counts
    assert [c[0] for c in counts].count(stream) == 1  # one line per stream


def test_given_fields_renamed_added_and_deactivated_then_the_next_discover_keeps_names_and_follows(emulator,
                                                                                                   discovered):
    before = {stream: _columns(s) for stream, s in discovered[0].items() if stream in STREAMS}
    renamed = {r: emulator.control("POST", "mutate", json={"resource": r, "update": 1})["updated"][0]
               for r in ("ticket_fields", "user_fields")}
    added = {r: emulator.control("POST", "mutate", json={"resource": r, "create": 1})["created"][0]
             for r in ("ticket_fields", "organization_fields")}
    off = emulator.control("POST", "mutate", json={"resource": "user_fields", "deactivate": 1})["deactivated"][0]

    after = {stream: _columns(s) for stream, s in _discover(emulator)[0].items() if stream in STREAMS}

    def name_of(stream: str, field_id: int, columns: dict) -> str | None:
        return next((n for n, c in columns[stream].items() if c["x-zendesk-field-id"] == field_id), None)

    for stream, resource in (("tickets", "ticket_fields"), ("users", "user_fields")):
        name = name_of(stream, renamed[resource], before)
        assert name is not None and name_of(stream, renamed[resource], after) == name
        assert after[stream][name]["description"] != before[stream][name]["description"]  # the new title
    for stream, resource in (("tickets", "ticket_fields"), ("organizations", "organization_fields")):
        assert name_of(stream, added[resource], before) is None and name_of(stream, added[resource], after)
    assert name_of("users", off, before) and name_of("users", off, after) is None
    assert set(after["users"]) == set(before["users"]) - {name_of("users", off, before)}


def test_given_a_field_list_zendesk_refuses_then_discover_keeps_that_streams_schema_and_warns_once(emulator):
    emulator.control("PUT", "settings", json={"forbidden": ["organization_fields"]})
    try:
        streams, warned = _discover(emulator)
    finally:
        emulator.control("PUT", "settings", json={"forbidden": []})
    assert not _columns(streams["organizations"]) and _columns(streams["tickets"]) and _columns(streams["users"])
    assert len(warned) == 1 and "'organizations'" in warned[0] and "403" in warned[0], warned
