"""Every stream schema with sample records: resolved the way the CDK resolves it (`ResourceSchemaLoader`, see the
docstring of test_schemas.py for why shared refs are bare file names), it accepts its Zendesk-shaped samples and the
record(s) of its response page in resource/http/response/, Draft-07 with date-time formats checked.

A response page belongs to the stream its file is named after (`<stream>.json`; the older `<stream>_export.json`
names are accepted too). Its records are the one top-level list of objects with an `id`, unless RECORDS says otherwise
or the stream derives its records from the rows of another export's page (`from_event`).
"""

import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft7Validator

from source_zendesk_support.streams import BY_NAME

from .test_schemas import (
    FORMAT_CHECKER,
    SAMPLES_DIR,
    SCHEMAS_DIR,
    STREAMS,
    _refs,
    _resolved_schema,
    _with,
)
from .zendesk_http import TEMPLATES, template

Page = dict[str, Any]


def _comment_children(page: Page) -> list[dict[str, Any]]:
    return [
        child
        for event in page["ticket_events"]
        for child in event.get("child_events") or []
        if child.get("event_type") == "Comment"
    ]


def _definitions(page: Page) -> list[dict[str, Any]]:
    return [*page["definitions"]["conditions_all"], *page["definitions"]["conditions_any"]]


# Streams whose page records are not "the one top-level list of objects with an id".
RECORDS: dict[str, Callable[[Page], list[dict[str, Any]]]] = {
    "tags": lambda page: page["tags"],  # a tag has no id
    "ticket_metrics": lambda page: page["metric_sets"],  # a ticket export page with metric_sets sideloaded
    "user_identities": lambda page: page["identities"],  # a user export page with identities sideloaded
    "ticket_activities": lambda page: page["activities"],  # actors and users are sideloads
    "ticket_comments": _comment_children,  # a ticket event page; comments are Comment child events
    "attribute_definitions": _definitions,  # no id; two lists under `definitions`
}

# Pagination keys Zendesk puts beside the records, one set per pagination style.
ENVELOPES = {
    "cursor pagination": {"meta", "links"},
    "offset pagination": {"next_page", "previous_page", "count"},
    "cursor-based export": {"after_url", "after_cursor", "before_url", "before_cursor", "end_of_stream"},
    # Zendesk's reference gives the custom object record export `meta.has_more`; it is an export: `end_of_stream` too.
    "custom object record export": {"after_url", "after_cursor", "before_url", "before_cursor", "end_of_stream", "meta"},
    "time-based export": {"next_page", "count", "end_of_stream", "end_time"},
    "Help Center article export": {"next_page", "count", "end_time"},
    "ticket audits cursor": {"after_url", "after_cursor", "before_url", "before_cursor"},
    "unpaginated": set(),
}


def _sampled_streams() -> list[str]:
    return sorted(p.stem for p in SAMPLES_DIR.glob("*.json") if (SCHEMAS_DIR / p.name).is_file())


def _stream_pages() -> list[tuple[str, str]]:
    pages = ((path.stem, path.stem.removesuffix("_export")) for path in sorted(TEMPLATES.glob("*.json")))
    return [(page, stream) for page, stream in pages if (SCHEMAS_DIR / f"{stream}.json").is_file()]


SAMPLED = _sampled_streams()
PAGES = _stream_pages()


def _errors(stream: str, record: dict[str, Any]) -> list[str]:
    validator = Draft7Validator(_resolved_schema(stream), format_checker=FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(record)]


def _records(page_name: str, stream: str, page: Page) -> list[dict[str, Any]]:
    if stream in RECORDS:
        return RECORDS[stream](page)
    declared = BY_NAME.get(stream)
    derive = getattr(declared, "from_event", None)
    if declared is not None and derive is not None:
        # a page of another stream's export; the records are what the stream makes of each of its rows
        return [record for row in page[declared.records_key] for record in derive(row)]
    lists = [
        value
        for value in page.values()
        if isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value)
    ]
    assert len(lists) == 1, f"{page_name}: name its records in RECORDS"
    return lists[0]


def test_given_schemas_dir_then_every_stream_schema_has_sample_records() -> None:
    unsampled = [p.stem for p in sorted(SCHEMAS_DIR.glob("*.json")) if p.stem not in SAMPLED]

    assert unsampled == []


def test_given_response_pages_then_every_stream_has_one() -> None:
    paged = {stream for _, stream in PAGES}

    assert sorted(set(STREAMS) - paged) == []


@pytest.mark.parametrize("stream", SAMPLED)
def test_given_stream_when_loaded_by_resource_schema_loader_then_resolved_and_open(stream: str) -> None:
    schema = _resolved_schema(stream)

    assert list(_refs(schema)) == []
    Draft7Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is True, "new Zendesk fields must not be rejected"


@pytest.mark.parametrize("stream", SAMPLED)
def test_given_sample_records_when_validated_then_no_errors(stream: str) -> None:
    records = json.loads((SAMPLES_DIR / f"{stream}.json").read_text())

    assert [_errors(stream, record) for record in records] == [[] for _ in records]


@pytest.mark.parametrize("stream", SAMPLED)
def test_given_stream_then_it_has_several_sample_records(stream: str) -> None:
    assert len(json.loads((SAMPLES_DIR / f"{stream}.json").read_text())) >= 2


@pytest.mark.parametrize(("page_name", "stream"), PAGES, ids=[page for page, _ in PAGES])
def test_given_response_page_when_its_records_validated_then_no_errors(page_name: str, stream: str) -> None:
    records = _records(page_name, stream, template(page_name))

    assert records, f"{page_name} holds no record"
    assert [_errors(stream, record) for record in records] == [[] for _ in records]


@pytest.mark.parametrize(("page_name", "stream"), PAGES, ids=[page for page, _ in PAGES])
def test_given_response_page_then_its_envelope_is_one_zendesk_pagination_style(page_name: str, stream: str) -> None:
    page = template(page_name)
    envelope = {key for key, value in page.items() if not isinstance(value, list | dict) or key in ("meta", "links")}

    assert envelope in ENVELOPES.values(), f"{page_name}: unexpected pagination keys {sorted(envelope)}"


@pytest.mark.parametrize(("page_name", "stream"), PAGES, ids=[page for page, _ in PAGES])
def test_given_response_page_then_it_holds_exactly_one_record(page_name: str, stream: str) -> None:
    """The fixture's record is the template stream_cases.py copies for every item of a test (for a stream made from
    child events, the one ticket event they come from)."""
    listed = template(page_name)[BY_NAME[stream].records_key]
    assert len(listed) == 1 if isinstance(listed, list) else all(len(rows) <= 1 for rows in listed.values())


def test_given_ticket_event_samples_then_comment_and_change_children_are_covered() -> None:
    events = json.loads((SAMPLES_DIR / "ticket_events.json").read_text())
    children = [child for event in events for child in event["child_events"]]

    assert any(isinstance(child.get("via"), dict) for child in children), "a sideloaded comment"
    assert any(isinstance(child.get("via"), str) for child in children)
    assert any("previous_value" in child for child in children)
    assert any(child.get("custom_ticket_fields") for child in children)
    assert any(event["child_events"] == [] for event in events)


@pytest.mark.parametrize(
    ("stream", "dotted", "value"),
    [
        ("ticket_events", "timestamp", "2024-01-02T10:00:00Z"),
        ("ticket_events", "child_events.0.attachments", {"id": 1}),
        ("ticket_events", "child_events", {"id": 1}),
        ("ticket_comments", "via", "Web form"),
        ("ticket_comments", "created_at", "2 Jan 2024"),
        ("ticket_field_history", "updated", 1704189600),
        ("ticket_metric_events", "sla.policy", "Urgent tickets"),
        ("user_identities", "primary", "yes"),
        ("account_attributes", "id", 15821),
        ("attribute_definitions", "operators", "is"),
        ("schedules", "intervals.0.start_time", "1980"),
        ("triggers", "conditions.all", "status is open"),
        ("automations", "actions.0", "close"),
        ("custom_roles", "role_type", "custom"),
        ("side_conversations", "participants", {"user_id": 1}),
        ("side_conversations", "external_ids.erp_ticket", 4711),
        ("ticket_forms", "agent_conditions.0.child_fields.0.is_required", "true"),
    ],
)
def test_given_record_with_wrong_shape_when_validated_then_error(stream: str, dotted: str, value: Any) -> None:
    record = _with(_sample(stream, dotted), dotted, value)

    assert _errors(stream, record) != []


def _sample(stream: str, dotted: str) -> dict[str, Any]:
    """The first sample record in which the path to change exists."""
    for record in json.loads((SAMPLES_DIR / f"{stream}.json").read_text()):
        node: Any = record
        try:
            for key in dotted.split(".")[:-1]:
                node = node[int(key)] if isinstance(node, list) else node[key]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(node, dict | list):
            return record
    raise AssertionError(f"no {stream} sample has {dotted}")


def test_given_page_files_then_only_known_non_stream_pages_are_left_out() -> None:
    covered = {page for page, _ in PAGES}
    left_out = sorted(p.stem for p in TEMPLATES.glob("*.json") if p.stem not in covered)

    assert all(name.startswith("error_") or name in {"oauth_token", "users_me", "users_me_anonymous"} for name in left_out)
