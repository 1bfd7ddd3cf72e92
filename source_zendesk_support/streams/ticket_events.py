"""The ticket event export and what derives from it (ticket events, their comments, the ticket field history, the
schedules applied to tickets), and the ticket metric event export and what derives from it (SLA policies applied).

Every ticket update is one ticket event; what it changed are its child events. Zendesk writes a changed field under
its own name (`{"status": "open", "previous_value": "new", "event_type": "Change"}`), custom fields under
`custom_ticket_fields` (`{"360001234567": "x"}`), tags as `tags` with `added_tags`/`removed_tags`, and a comment, when
the export is asked for `include=comment_events`, as the comment itself (`event_type: "Comment"`).
https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-event-export
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import requests

from ..failures import UnreadablePage
from ..instants import ISO, LATEST_TIME, UNIX, iso
from ..paginators import ExportTimePaginator
from ..state import EndTimePosition, Record
from .base import ZendeskStream

EXPORT = "incremental/ticket_events.json"
# One request reads every stream of the export: each reads the page's end_time as its state, written the same way.
EVENT_TIME = EndTimePosition(key="timestamp", field="timestamp", codec=UNIX)
# The keys of a Create or Change child event that are not the field it sets: where it came from, and the parts of a
# tags change that restate `tags` (the list after the change) and `previous_value` (the list before).
NOT_FIELDS = frozenset({"id", "via", "via_reference_id", "event_type", "previous_value", "added_tags", "removed_tags"})
FIELD_EVENTS = ("Create", "Change")
# The name a ticket's schedule goes by in the export's Create and Change child events (as `schedule_id` in an audit's
# `field_name`): unverified, Zendesk's docs show no such event (notes/analytics-sources.md); one place to change.
SCHEDULE_FIELD = "schedule_id"


class TicketEvents(ZendeskStream):
    """Ticket events from the time-based incremental export, 1,000 per page, with the comments themselves in
    their Comment child events (`include=comment_events`): the records are the same whether ticket_comments is
    synced too or not, and one request serves both. The state is the page's `end_time`, `{"timestamp": <unix>}`.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-event-export
    """

    endpoint = EXPORT
    records_key = "ticket_events"
    params = {"include": "comment_events"}
    paginator = ExportTimePaginator()
    position = EVENT_TIME


class DerivedFromExport(ZendeskStream):
    """A stream made of what each row on another stream's export pages holds (`from_event` says how one row becomes
    records). It reads whole pages, so its position moves exactly as that stream's does, and when synced with it (or
    another of these) from the same position they all read the same requests."""

    def _records(self, response: requests.Response) -> list[Record]:
        try:
            return [record for event in super()._records(response) for record in self.from_event(event)]
        except ValueError as problem:
            raise UnreadablePage(self.name, str(problem)) from None

    @staticmethod
    def from_event(event: Record) -> list[Record]:
        """The records one row of the page holds; a ValueError says why it cannot be read."""
        raise NotImplementedError


class FromChildEvents(DerivedFromExport):
    """A stream made of the child events on the pages of the ticket event export."""

    endpoint = EXPORT
    records_key = "ticket_events"
    paginator = ExportTimePaginator()
    pages_of = "ticket_events"


class TicketComments(FromChildEvents):
    """Ticket comments: the Comment child events of the ticket event export (`include=comment_events`), each with
    its update's `ticket_id`, `timestamp` and `via_reference_id` and its `via` object (null when Zendesk sends a
    display name instead), as the official connector emits them. The state is the export's, `{"timestamp": <unix>}`
    (shared with ticket_events); the official connector's `{"created_at": ...}` is accepted.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-event-export
    """

    params = {"include": "comment_events"}
    position = replace(EVENT_TIME, cursor="created_at")
    legacy_state_keys = (("created_at",), ("state", "created_at"))

    @staticmethod
    def from_event(event: Record) -> list[Record]:
        comments: list[Record] = []
        for child in _child_events(event):
            if child.get("event_type") != "Comment":
                continue
            via = child.get("via")
            # The update's rule reference when the update names one (the official connector always takes the
            # update's); a comment's own reference is kept when the update says nothing.
            reference = event["via_reference_id"] if "via_reference_id" in event else child.get("via_reference_id")
            comments.append({**child, "ticket_id": event.get("ticket_id"), "timestamp": event.get("timestamp"),
                             "via_reference_id": reference, "via": via if isinstance(via, Mapping) else None})
        return comments


class TicketFieldHistory(FromChildEvents):
    """Every value a ticket field took: one record per field a Create or Change child event sets (Zendesk's field
    names, custom fields by their id), with the value before it (null on Create), when and by whom. `id` is
    `<child event id>:<field name>`. Values are Zendesk's as sent (lists for tags and multi-select fields). A child
    that names no field is still emitted, with `field_name` null, rather than lost. Not in the official connector;
    Fivetran's TICKET_FIELD_HISTORY is the same idea. The state is the export's, `{"timestamp": <unix>}`.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-event-export
    """

    position = EndTimePosition(key="timestamp", field="updated", codec=UNIX, field_codec=ISO)

    @staticmethod
    def from_event(event: Record) -> list[Record]:
        updated = _event_time(event)
        changes: list[Record] = []
        for child in _child_events(event):
            if child.get("event_type") not in FIELD_EVENTS:
                continue
            child_id = _child_id(child, event)
            for name, value in _fields(child):
                changes.append({
                    "id": f"{child_id}:{name or ''}", "ticket_id": event.get("ticket_id"), "field_name": name,
                    "value": value, "previous_value": child.get("previous_value"), "updated": updated,
                    "user_id": event.get("updater_id"), "event_type": child.get("event_type"), "event_id": child_id,
                    "parent_event_id": event.get("id"),
                })  # fmt: skip
        return changes


class TicketSchedules(FromChildEvents):
    """Which schedule applies to a ticket from when: one record per Create or Change child event that sets the
    ticket's schedule (a trigger's "Set schedule" action, or an API update), with the schedule before it. Tickets
    no trigger gave a schedule follow the account's default schedule and have no record here (it is no event);
    Fivetran's TICKET_SCHEDULE holds the same. Zendesk's docs show no schedule change in the export: the connector
    reads it as the export writes every other ticket property, under its own name (`SCHEDULE_FIELD`), see
    notes/analytics-sources.md. The state is the export's, `{"timestamp": <unix>}`.
    https://support.zendesk.com/hc/en-us/articles/4408842938522 (schedules applied to tickets by triggers)
    """

    position = EndTimePosition(key="timestamp", field="created_at", codec=UNIX, field_codec=ISO)

    @staticmethod
    def from_event(event: Record) -> list[Record]:
        applied: list[Record] = []
        for child in _child_events(event):
            if child.get("event_type") not in FIELD_EVENTS:
                continue
            for name, value in _fields(child):
                if name != SCHEDULE_FIELD:
                    continue
                applied.append({
                    "id": _child_id(child, event), "ticket_id": event.get("ticket_id"),
                    "schedule_id": _schedule_id(value, event),
                    "previous_schedule_id": _schedule_id(child.get("previous_value"), event),
                    "created_at": _event_time(event), "updater_id": event.get("updater_id"),
                    "via_reference_id": child.get("via_reference_id"), "event_type": child.get("event_type"),
                    "parent_event_id": event.get("id"),
                })  # fmt: skip
        return applied


class TicketMetricEvents(ZendeskStream):
    """Ticket metric events (when each metric's clock started, paused, was fulfilled or breached) as a time-based
    export, 1,000 per page: without `page[size]` Zendesk answers this endpoint as a time-based incremental export,
    ten times fewer requests than its cursor pagination (100 per page). The state is the page's `end_time`,
    `{"time": "<ISO>"}`; the official connector's `{"time": "<unix>"}` is accepted.
    https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metric_events/#list-ticket-metric-events
    """

    endpoint = "incremental/ticket_metric_events.json"
    records_key = "ticket_metric_events"
    paginator = ExportTimePaginator()
    position = EndTimePosition(key="time", field="time", codec=ISO)


def _child_events(event: Record) -> list[Mapping[str, Any]]:
    events = event.get("child_events")
    if not isinstance(events, list) or not all(isinstance(child, Mapping) for child in events):
        raise ValueError(f"ticket event {event.get('id')} has a 'child_events' that is not a list of objects")
    return events


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


class TicketSlaPolicies(DerivedFromExport):
    """When an SLA policy was applied to a ticket, and the target it set: one record per `apply_sla` ticket metric
    event (Zendesk writes one per metric the policy measures, and a new one whenever the policy or a target changes,
    a priority change for instance), flattened: the policy's id and title, the target in minutes and whether it
    counts business hours. Read from the ticket metric event export's pages (those of ticket_metric_events when both
    are synced from the same position). Group SLAs (`apply_group_sla`) are not included. The state is the export's,
    `{"time": "<ISO>"}`.
    https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-metric-event-types-reference/
    """

    endpoint = TicketMetricEvents.endpoint
    records_key = TicketMetricEvents.records_key
    paginator = ExportTimePaginator()
    position = TicketMetricEvents.position
    pages_of = "ticket_metric_events"

    @staticmethod
    def from_event(event: Record) -> list[Record]:
        if event.get("type") != "apply_sla":
            return []
        sla = event.get("sla")
        if not isinstance(sla, Mapping):
            raise ValueError(f"apply_sla ticket metric event {event.get('id')} has no 'sla' object")
        policy = sla.get("policy")
        policy = policy if isinstance(policy, Mapping) else {}
        return [{
            "id": event.get("id"), "ticket_id": event.get("ticket_id"), "metric": event.get("metric"),
            "instance_id": event.get("instance_id"), "time": event.get("time"), "sla_policy_id": policy.get("id"),
            "sla_policy_title": policy.get("title"), "target": sla.get("target"),
            "target_in_seconds": sla.get("target_in_seconds"), "business_hours": sla.get("business_hours"),
        }]  # fmt: skip


def _child_id(child: Mapping[str, Any], event: Record) -> Any:
    child_id = child.get("id")
    if type(child_id) not in (int, str):
        raise ValueError(f"a {child.get('event_type')} child event of ticket event {event.get('id')} has no id")
    return child_id


def _event_time(event: Record) -> Any:
    """When a ticket event happened, in ISO: its unix `timestamp`, or its `created_at` when that is not usable."""
    stamp = event.get("timestamp")
    return iso(stamp) if type(stamp) is int and 0 <= stamp <= LATEST_TIME else event.get("created_at")


def _schedule_id(value: Any, event: Record) -> int | None:
    """A schedule id as the export writes ids (a string of digits, or an integer); null stays null."""
    if value is None or value == "":
        return None
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ValueError(f"ticket event {event.get('id')} sets a schedule that is not an id ({str(value)[:40]!r})")
