"""discover's catalog, and what is particular to the list streams (groups, macros, ticket_fields)."""

from __future__ import annotations

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.entrypoint_wrapper import discover

from source_zendesk_support import SourceZendeskSupport

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of, warnings
from .zendesk_http import ZendeskRequest, ZendeskResponse, iso, list_page, record

CATALOG = {
    # stream: (primary key, default cursor or None for full refresh only)
    "tickets": ("id", "generated_timestamp"),
    "users": ("id", "updated_at"),
    "organizations": ("id", "updated_at"),
    "groups": ("id", "updated_at"),
    "group_memberships": ("id", None),
    "macros": ("id", "updated_at"),
    "tags": ("name", None),
    "ticket_fields": ("id", "updated_at"),
    "ticket_metrics": ("id", "updated_at"),
    "ticket_audits": ("id", "created_at"),
}


def test_when_discover_then_ten_streams_with_their_keys_cursors_and_sync_modes_and_no_request(zendesk):
    output = discover(SourceZendeskSupport(), api_token_config())

    streams = {s.name: s for s in output.catalog.catalog.streams}
    assert set(streams) == set(CATALOG)
    for name, (pk, cursor) in CATALOG.items():
        stream = streams[name]
        assert stream.source_defined_primary_key == [[pk]]
        assert stream.json_schema["properties"], name
        if cursor:
            assert stream.supported_sync_modes == [SyncMode.full_refresh, SyncMode.incremental]
            assert stream.default_cursor_field == [cursor] and stream.source_defined_cursor
            assert stream.is_resumable
        else:
            assert stream.supported_sync_modes == [SyncMode.full_refresh]
            assert not stream.is_resumable


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
