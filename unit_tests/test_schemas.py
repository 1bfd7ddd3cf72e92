"""Stream schemas: valid Draft-07, shared parts resolved the way the CDK resolves them, every attribute of the
Stitch tables in the seed present, and Zendesk-shaped sample records (awkward values included) accepted.

`ResourceSchemaLoader` (airbyte_cdk/sources/utils/schema_helpers.py) resolves a `$ref` against the package
directory and then rewrites that directory to `schemas/shared/`, so a ref is the bare file name of a shared part
(`{"$ref": "via.json"}`); `"shared/via.json"` would be looked up as `schemas/shared/shared/via.json`. Keys next to a
`$ref` are dropped by jsonref, so a shared part carries its own description.
"""

import functools
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.sources.utils.schema_helpers import ResourceSchemaLoader
from jsonschema import Draft7Validator, FormatChecker

from source_zendesk_support.streams import STREAMS as STREAM_CLASSES
from source_zendesk_support.streams import stream_name

PACKAGE = "source_zendesk_support"
SCHEMAS_DIR = Path(__file__).resolve().parents[1] / PACKAGE / "schemas"
SHARED_DIR = SCHEMAS_DIR / "shared"
SAMPLES_DIR = Path(__file__).resolve().parent / "resource" / "schema_samples"

STREAMS = [stream_name(stream) for stream in STREAM_CLASSES]

# The Stitch Zendesk Support (v15-10-2015) table reference in the seed (000_bb41f118ecf05810): table -> our stream
# and the attributes it lists, in the seed's order and spelling.
STITCH_TABLES: dict[str, tuple[str, list[str]]] = {
    "audits": ("ticket_audits", ["id", "ticket_id", "metadata", "via", "created_at", "author_id", "events"]),
    "zendesk_group_memberships": (
        "group_memberships",
        ["id", "user_id", "group_id", "default", "created_at", "updated_at"],
    ),
    "zendesk_groups": ("groups", ["id", "url", "name", "deleted", "created_at", "updated_at"]),
    "zendesk_macros": (
        "macros",
        ["id", "actions", "active", "description", "position", "restriction", "title", "created_at", "updated_at"],
    ),
    "organizations": (
        "organizations",
        [
            "id", "url", "external_id", "name", "created_at", "updated_at", "domain_names", "details", "notes",
            "group_id", "shared_tickets", "shared_comments", "tags", "organization_fields",
        ],
    ),
    "zendesk_tags": ("tags", ["name"]),
    "tickets": (
        "tickets",
        [
            "id", "url", "external_id", "type", "subject", "raw_subject", "priority", "status", "recipient",
            "requester_id", "submitter_id", "assignee_id", "organization_id", "group_id", "collaborator_ids",
            "forum_topic_id", "problem_id", "has_incidents", "due_at", "tags", "via", "custom_fields", "fields",
            "satisfaction_rating", "sharing_agreement_ids", "followup_ids", "ticket_form_id", "brand_id",
            "allow_channelback", "is_public", "created_at", "updated_at",
        ],
    ),
    "ticket_fields": (
        "ticket_fields",
        [
            "id", "url", "type", "title", "raw_title", "description", "raw_description", "position", "active",
            "required", "collapsed_for_agents", "regxp_for_validation", "title_in_portal", "raw_title_in_portal",
            "visible_in_portal", "editable_in_portal", "required_in_portal", "tag", "created_at", "updated_at",
            "system_field_options", "custom_field_options", "removable",
        ],
    ),
    "zendesk_ticket_metrics": (
        "ticket_metrics",
        [
            "id", "ticket_id", "url", "group_stations", "assignee_stations", "reopens", "replies",
            "assignee_updated_at", "requester_updated_at", "status_updated_at", "intitially_updated_at",
            "assigned_at", "solved_at", "latest_comment_added_at", "first_resolution_time_in_minutes",
            "reply_time_in_minutes", "full_resolution_time_in_minutes", "agent_wait_time_in_minutes",
            "requester_wait_time_in_minutes", "created_at", "updated_at",
        ],
    ),
    "users": (
        "users",
        [
            "id", "email", "name", "active", "alias", "chat_only", "created_at", "custom_role_id", "details",
            "external_id", "last_login_at", "locale_id", "moderator", "notes", "only_private_comments",
            "organization_id", "phone", "photo", "restricted_agent", "role", "shared", "shared_agent", "signature",
            "suspended", "tags", "ticket_restriction", "time_zone", "two_factor_auth_enabled", "updated_at", "url",
            "user_fields", "verified",
        ],
    ),
}

# Two names in the seed are misspellings of Zendesk fields; the schemas use Zendesk's names.
SEED_MISSPELLINGS = {
    "intitially_updated_at": "initially_assigned_at",
    "regxp_for_validation": "regexp_for_validation",
}

# jsonschema checks "date-time" only when rfc3339-validator is installed (it is not): check it here instead.
FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    datetime.fromisoformat(value)
    return "T" in value  # fromisoformat also takes a bare date


@functools.cache
def _resolved_schema(stream: str) -> dict[str, Any]:
    return ResourceSchemaLoader(PACKAGE).get_schema(stream)


def _validator(stream: str) -> Draft7Validator:
    return Draft7Validator(_resolved_schema(stream), format_checker=FORMAT_CHECKER)


def _samples(stream: str) -> list[dict[str, Any]]:
    return json.loads((SAMPLES_DIR / f"{stream}.json").read_text())


def _schema_files() -> list[Path]:
    return sorted(SCHEMAS_DIR.glob("*.json")) + sorted(SHARED_DIR.glob("*.json"))


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _subschemas(schema: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property (`a.b`), array item (`a[]`) and free-form object value (`a.*`) below `schema`."""
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}.{name}", sub
        yield from _subschemas(sub, f"{path}.{name}")
    items = schema.get("items")
    if isinstance(items, dict):
        yield f"{path}[]", items
        yield from _subschemas(items, f"{path}[]")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield f"{path}.*", extra
        yield from _subschemas(extra, f"{path}.*")


def _errors(stream: str, record: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(stream).iter_errors(record)]


def test_given_schemas_dir_then_it_holds_exactly_one_file_per_stream() -> None:
    assert sorted(p.stem for p in SCHEMAS_DIR.glob("*.json")) == sorted(STREAMS)


@pytest.mark.parametrize("path", _schema_files(), ids=lambda p: p.relative_to(SCHEMAS_DIR).as_posix())
def test_given_schema_file_then_it_is_valid_draft7(path: Path) -> None:
    Draft7Validator.check_schema(json.loads(path.read_text()))


@pytest.mark.parametrize("path", _schema_files(), ids=lambda p: p.relative_to(SCHEMAS_DIR).as_posix())
def test_given_schema_file_then_each_ref_is_the_bare_name_of_a_shared_file(path: Path) -> None:
    for ref in _refs(json.loads(path.read_text())):
        assert "/" not in ref and "#" not in ref, f"{ref!r}: write shared refs as a bare file name"
        assert (SHARED_DIR / ref).is_file(), f"{ref!r} is not a file in schemas/shared/"


def test_given_all_schemas_then_every_shared_file_is_referenced() -> None:
    referenced = {ref for path in _schema_files() for ref in _refs(json.loads(path.read_text()))}
    assert sorted(p.name for p in SHARED_DIR.glob("*.json")) == sorted(referenced)


@pytest.mark.parametrize("stream", STREAMS)
def test_given_stream_when_loaded_by_resource_schema_loader_then_no_ref_is_left(stream: str) -> None:
    schema = _resolved_schema(stream)

    assert list(_refs(schema)) == []
    Draft7Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is True, "new Zendesk fields must not be rejected"


@pytest.mark.parametrize("table", sorted(STITCH_TABLES))
def test_given_stitch_table_in_seed_then_each_attribute_is_a_property_of_its_stream(table: str) -> None:
    stream, attributes = STITCH_TABLES[table]
    properties = _resolved_schema(stream)["properties"]

    missing = [name for name in attributes if SEED_MISSPELLINGS.get(name, name) not in properties]

    assert missing == []


def test_given_seed_misspellings_then_schemas_keep_zendesk_names_only() -> None:
    for wrong, right in SEED_MISSPELLINGS.items():
        (stream,) = [stream for stream, attributes in STITCH_TABLES.values() if wrong in attributes]
        properties = _resolved_schema(stream)["properties"]
        assert right in properties and wrong not in properties


@pytest.mark.parametrize("stream", STREAMS)
def test_given_stream_then_every_property_has_a_description(stream: str) -> None:
    undescribed = [
        path
        for path, sub in _subschemas(_resolved_schema(stream), stream)
        if not path.endswith("[]") and not (isinstance(sub.get("description"), str) and sub["description"].strip())
    ]

    assert undescribed == []


@pytest.mark.parametrize("stream", STREAMS)
def test_given_stream_then_every_property_and_item_type_allows_null(stream: str) -> None:
    not_nullable = [
        path
        for path, sub in _subschemas(_resolved_schema(stream), stream)
        if not (isinstance(sub.get("type"), list) and "null" in sub["type"])
    ]

    assert not_nullable == []


@pytest.mark.parametrize("stream", STREAMS)
def test_given_sample_records_when_validated_then_no_errors(stream: str) -> None:
    records = _samples(stream)

    assert len(records) >= 2
    assert [_errors(stream, record) for record in records] == [[] for _ in records]


def test_given_ticket_samples_then_awkward_values_are_covered() -> None:
    tickets = _samples("tickets")
    values = [field["value"] for ticket in tickets for field in ticket.get("custom_fields") or []]

    assert {type(value) for value in values} >= {str, int, float, bool, list, type(None)}
    assert any(isinstance(ticket.get("satisfaction_rating"), str) for ticket in tickets)
    assert any(isinstance(ticket.get("satisfaction_rating"), dict) for ticket in tickets)
    assert any(isinstance(ticket["via"]["channel"], int) for ticket in tickets)


def test_given_audit_samples_then_varied_events_are_covered() -> None:
    events = [event for audit in _samples("ticket_audits") for event in audit["events"]]

    assert len({event["type"] for event in events}) >= 10
    assert any(isinstance(e.get("value"), list) and isinstance(e.get("previous_value"), list) for e in events)
    assert any(isinstance(event.get("value"), dict) for event in events)
    assert any(event.get("attachments") for event in events)
    assert any("skills" in event for event in events), "an event type the schema does not list"


def _with(record: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    record = json.loads(json.dumps(record))
    *parents, last = dotted.split(".")
    node: Any = record
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value
    return record


@pytest.mark.parametrize(
    ("stream", "dotted", "value"),
    [
        ("tickets", "id", "35436"),
        ("tickets", "created_at", "yesterday"),
        ("tickets", "due_at", "2024-03-09"),
        ("tickets", "custom_fields.0.value", {"nested": "object"}),
        ("tickets", "custom_fields.4.value", [{"id": 1}]),
        ("tickets", "satisfaction_rating", 5),
        ("tickets", "via.channel", ["email"]),
        ("tickets", "tags", "enterprise"),
        ("users", "photo", "https://acme.zendesk.com/photo.png"),
        ("users", "user_fields", ["vip"]),
        ("ticket_metrics", "reply_time_in_minutes", "2391"),
        ("ticket_audits", "events.0.attachments", {"id": 1}),
        ("ticket_audits", "events.0.id", "2127301163"),
        ("macros", "restriction.ids", 4),
    ],
)
def test_given_record_with_wrong_shape_when_validated_then_error(stream: str, dotted: str, value: Any) -> None:
    record = _with(_samples(stream)[0], dotted, value)

    assert _errors(stream, record) != []
