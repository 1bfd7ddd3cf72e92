"""The ticket event export and what derives from it (ticket events, their comments, the ticket field history), and
the ticket metric event export.

Every ticket update is one ticket event; what it changed are its child events. Zendesk writes a changed field under
its own name (`{"status": "open", "previous_value": "new", "event_type": "Change"}`), custom fields under
`custom_ticket_fields` (`{"360001234567": "x"}`), tags as `tags` with `added_tags`/`removed_tags`, and a comment, when
the export is asked for `include=comment_events`, as the comment itself (`event_type: "Comment"`).
https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-event-export
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from ..paginators import ExportTimePaginator
from ..state import ISO, LATEST_TIME, UNIX, EndTimePosition, Record, iso, response_error
from .base import ZendeskStream

EXPORT = "incremental/ticket_events.json"
# One request reads every stream of the export: each reads the page's end_time as its state, written the same way.
EVENT_TIME = EndTimePosition(key="timestamp", field="timestamp", codec=UNIX)
# The keys of a Create or Change child event that are not the field it sets: where it came from, and the parts of a
# tags change that restate `tags` (the list after the change) and `previous_value` (the list before).
NOT_FIELDS = frozenset({"id", "via", "via_reference_id", "event_type", "previous_value", "added_tags", "removed_tags"})
FIELD_EVENTS = ("Create", "Change")


class TicketEvents(ZendeskStream):
    """Ticket events from the time-based incremental export, 1,000 per page, with the comments themselves in
    their Comment child events (`include=comment_events`): the records are the same whether ticket_comments is
    synced too or not, and one request serves both. The state is the page's `end_time`, `{"timestamp": <unix>}`.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-event-export
    """

    endpoint = EXPORT
    records_key = "ticket_events"
    params = {"include": "comment_events"}
    cursor_field = "timestamp"
    paginator = ExportTimePaginator()
    position = EVENT_TIME


class TicketEventChildren(ZendeskStream):
    """A stream made of the child events on the pages of the ticket event export (`from_event` says how one ticket
    event becomes records). It reads whole pages, so its position moves exactly as ticket_events' does, and when
    synced with ticket_events (or another of these) from the same position they all read the same requests."""

    endpoint = EXPORT
    records_key = "ticket_events"
    paginator = ExportTimePaginator()
    pages_of = "ticket_events"

    def _records(self, response: requests.Response) -> list[Record]:
        try:
            return [record for event in super()._records(response) for record in self.from_event(event)]
        except ValueError as problem:
            raise response_error(self.name, str(problem)) from None

    @staticmethod
    def from_event(event: Record) -> list[Record]:
        """The records one ticket event holds; a ValueError says why it cannot be read."""
        raise NotImplementedError


class TicketComments(TicketEventChildren):
    """Ticket comments: the Comment child events of the ticket event export (`include=comment_events`), each with
    its update's `ticket_id`, `timestamp` and `via_reference_id` and its `via` object (null when Zendesk sends a
    display name instead), as the official connector emits them. The state is the export's, `{"timestamp": <unix>}`
    (shared with ticket_events); the official connector's `{"created_at": ...}` is accepted.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-event-export
    """

    params = {"include": "comment_events"}
    cursor_field = "created_at"
    position = EVENT_TIME
    legacy_state_keys = (("created_at",), ("state", "created_at"))

    @staticmethod
    def from_event(event: Record) -> list[Record]:
        comments: list[Record] = []
        for child in _children(event):
            if child.get("event_type") != "Comment":
                continue
            via = child.get("via")
            # The update's rule reference when the update names one (the official connector always takes the
            # update's); a comment's own reference is kept when the update says nothing.
            reference = event["via_reference_id"] if "via_reference_id" in event else child.get("via_reference_id")
            comments.append({**child, "ticket_id": event.get("ticket_id"), "timestamp": event.get("timestamp"),
                             "via_reference_id": reference, "via": via if isinstance(via, Mapping) else None})
        return comments


class TicketFieldHistory(TicketEventChildren):
    """Every value a ticket field took: one record per field a Create or Change child event sets (Zendesk's field
    names, custom fields by their id), with the value before it (null on Create), when and by whom. `id` is
    `<child event id>:<field name>`. Values are Zendesk's as sent (lists for tags and multi-select fields). A child
    that names no field is still emitted, with `field_name` null, rather than lost. Not in the official connector;
    Fivetran's TICKET_FIELD_HISTORY is the same idea. The state is the export's, `{"timestamp": <unix>}`.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-event-export
    """

    cursor_field = "updated"
    position = EndTimePosition(key="timestamp", field="updated", codec=UNIX, field_codec=ISO)

    @staticmethod
    def from_event(event: Record) -> list[Record]:
        stamp = event.get("timestamp")
        updated = iso(stamp) if type(stamp) is int and 0 <= stamp <= LATEST_TIME else event.get("created_at")
        changes: list[Record] = []
        for child in _children(event):
            if child.get("event_type") not in FIELD_EVENTS:
                continue
            child_id = child.get("id")
            if type(child_id) not in (int, str):
                raise ValueError(f"a {child.get('event_type')} child event of ticket event {event.get('id')} has no id")
            for name, value in _fields(child):
                changes.append({
                    "id": f"{child_id}:{name or ''}", "ticket_id": event.get("ticket_id"), "field_name": name,
                    "value": value, "previous_value": child.get("previous_value"), "updated": updated,
                    "user_id": event.get("updater_id"), "event_type": child.get("event_type"), "event_id": child_id,
                    "parent_event_id": event.get("id"),
                })  # fmt: skip
        return changes


class TicketMetricEvents(ZendeskStream):
    """Ticket metric events (when each metric's clock started, paused, was fulfilled or breached) as a time-based
    export, 1,000 per page: without `page[size]` Zendesk answers this endpoint as a time-based incremental export,
    ten times fewer requests than its cursor pagination (100 per page). The state is the page's `end_time`,
    `{"time": "<ISO>"}`; the official connector's `{"time": "<unix>"}` is accepted.
    https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metric_events/#list-ticket-metric-events
    """

    endpoint = "incremental/ticket_metric_events.json"
    records_key = "ticket_metric_events"
    cursor_field = "time"
    paginator = ExportTimePaginator()
    position = EndTimePosition(key="time", field="time", codec=ISO)


def _children(event: Record) -> list[Mapping[str, Any]]:
    children = event.get("child_events")
    if not isinstance(children, list) or not all(isinstance(child, Mapping) for child in children):
        raise ValueError(f"ticket event {event.get('id')} has a 'child_events' that is not a list of objects")
    return children


def _fields(child: Mapping[str, Any]) -> list[tuple[str | None, Any]]:
    """(field name, value) for each field a Create or Change child sets: custom fields one by one, by their id."""
    if isinstance(child.get("field_name"), str):
        return [(child["field_name"], child.get("value"))]  # the ticket audits' shape, should the export adopt it
    fields: list[tuple[str | None, Any]] = []
    for name, value in child.items():
        if name in NOT_FIELDS:
            continue
        if name == "custom_ticket_fields" and isinstance(value, Mapping):
            fields += [(str(field_id), field_value) for field_id, field_value in value.items()]
        else:
            fields.append((name, value))  # a field we do not know, or a custom_ticket_fields that is not an object
    return fields or [(None, None)]
