"""discover's catalog, and what is particular to the list streams (groups, macros, ticket_fields)."""

from __future__ import annotations

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.entrypoint_wrapper import discover

from source_zendesk_support import SourceZendeskSupport
from source_zendesk_support.streams import STREAMS, stream_name

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of, warnings
from .zendesk_http import ZendeskRequest, ZendeskResponse, iso, list_page, record

# Airbyte's official connector's streams (4.9.1, and 5.x for ticket_events and side_conversations): primary key and
# default cursor (None: full refresh only there). A stream of ours with the same name must have the same key and, where
# the official one is incremental, be incremental on the same cursor, so a connection can switch connectors.
OFFICIAL = {
    "account_attributes": ("id", None), "attribute_definitions": (None, None), "audit_logs": ("id", "created_at"),
    "automations": ("id", None), "brands": ("id", None), "custom_roles": ("id", "updated_at"),
    "group_memberships": ("id", "updated_at"), "groups": ("id", "updated_at"), "macros": ("id", "updated_at"),
    "organization_fields": ("id", "updated_at"), "organization_memberships": ("id", "updated_at"),
    "organizations": ("id", "updated_at"), "satisfaction_ratings": ("id", "updated_at"),
    "schedules": ("id", "updated_at"), "sla_policies": ("id", "updated_at"), "tags": ("name", None),
    "ticket_activities": ("id", "updated_at"), "ticket_audits": ("id", "created_at"),
    "ticket_comments": ("id", "created_at"), "ticket_events": ("id", "timestamp"), "ticket_fields": ("id", "updated_at"),
    "ticket_forms": ("id", "updated_at"), "ticket_metric_events": ("id", "time"), "ticket_metrics": ("id", "updated_at"),
    "ticket_skips": ("id", "updated_at"), "tickets": ("id", "generated_timestamp"), "triggers": ("id", "updated_at"),
    "user_fields": ("id", None), "user_identities": ("id", "updated_at"), "users": ("id", "updated_at"),
    "side_conversations": ("id", "updated_at"),
    "articles": ("id", "updated_at"), "article_attachments": ("id", "updated_at"),
    "article_comments": ("id", "updated_at"), "article_votes": ("id", "updated_at"),
    "article_comment_votes": ("id", "updated_at"), "categories": ("id", None), "sections": ("id", None),
    "topics": ("id", "updated_at"), "posts": ("id", "updated_at"), "post_comments": ("id", "updated_at"),
    "post_votes": ("id", "updated_at"), "post_comment_votes": ("id", "updated_at"),
}  # fmt: skip
# Where we go further than the official connector: incremental although it reads in full.
INCREMENTAL_BEYOND_OFFICIAL: set[str] = set()


def test_when_discover_then_every_stream_with_its_key_cursor_and_sync_modes_and_no_request(zendesk):
    # Without custom field columns: discover asks nothing (with them it asks the field lists: test_custom_fields.py).
    output = discover(SourceZendeskSupport(), api_token_config(custom_field_columns=False))

    streams = {s.name: s for s in output.catalog.catalog.streams}
    assert list(streams) == [stream_name(stream) for stream in STREAMS]
    for name, stream in streams.items():
        declared = STREAMS[list(streams).index(name)]
        pk, cursor = OFFICIAL.get(name, (declared.primary_key, declared.__dict__.get("cursor_field")))
        if name in INCREMENTAL_BEYOND_OFFICIAL:
            cursor = declared.__dict__.get("cursor_field")
        assert stream.source_defined_primary_key == ([[pk]] if pk else None), name
        assert stream.json_schema["properties"], name
        if cursor:
            assert stream.supported_sync_modes == [SyncMode.full_refresh, SyncMode.incremental], name
            assert stream.default_cursor_field == [cursor] and stream.source_defined_cursor, name
            assert stream.is_resumable, name
        else:
            assert stream.supported_sync_modes == [SyncMode.full_refresh], name
            assert not stream.is_resumable, name


def _group(group_id: int, updated: int, **fields) -> dict:
    return record("groups", "groups", id=group_id, updated_at=iso(updated), **fields)


def test_given_deleted_groups_when_read_then_they_are_emitted_flagged(zendesk):
    groups = [_group(1, START + DAY), _group(2, START + 2 * DAY, deleted=True)]
    zendesk.expect(ZendeskRequest.list("groups"), ZendeskResponse.ok(list_page("groups", groups, None)))

    output = read(api_token_config(), ["groups"])

    assert [(r["id"], r["deleted"]) for r in records_of(output, "groups")] == [(1, False), (2, True)]


@pytest.mark.parametrize("resource", ["groups", "macros", "ticket_fields"])
def test_given_a_list_read_halfway_when_the_next_page_is_refused_then_the_state_does_not_move(resource, zendesk):
    # Page 1 holds a record updated long after page 2's records: moving the state to it before the end of the
    # list would filter page 2's records out of every later sync.
    second = ZendeskRequest.list(resource, "after-1")
    page = [record(resource, resource, id=9, updated_at=iso(START + 30 * DAY))]
    zendesk.expect(ZendeskRequest.list(resource), ZendeskResponse.ok(list_page(resource, page, second)))
    zendesk.expect(second, ZendeskResponse.forbidden())

    output = read(api_token_config(), [resource], state={resource: {"updated_at": iso(START + DAY)}})

    assert [r["id"] for r in records_of(output, resource)] == [9]
    states = states_of(output, resource)
    assert states and all(state["updated_at"] == iso(START + DAY) for state in states)
    assert any(f"Skipping stream '{resource}'" in w for w in warnings(output)) and not error_traces(output)
