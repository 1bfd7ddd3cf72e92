"""Tickets API area: tickets, their metrics, fields, forms and statuses, ratings, activity, skips and tags, deleted and
suspended tickets."""

from __future__ import annotations

from ..instants import ISO, UNIX
from ..paginators import ExportCursorPaginator, NextPagePaginator, PageCursorPaginator, Unpaginated
from ..state import ExportPosition, ListPosition
from .base import ZendeskStream


class Tickets(ZendeskStream):
    """Tickets from the cursor-based incremental export, 1,000 per page, deleted ones included (status "deleted").

    The cursor is `generated_timestamp`: Zendesk filters the export on it, and system updates move it while
    `updated_at` stays put.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-cursor-based
    """

    endpoint = "incremental/tickets/cursor.json"
    records_key = "tickets"
    paginator = ExportCursorPaginator()
    count_endpoint = "tickets/count.json"
    position = ExportPosition(key="generated_timestamp", field="generated_timestamp", codec=UNIX)


class TicketMetrics(ZendeskStream):
    """Ticket metrics as the metric sets Zendesk sideloads on the ticket export (`include=metric_sets`): the metrics
    of 1,000 tickets per request, archived tickets included, never one request per ticket.

    The catalog's cursor is the metric set's `updated_at`, but the state is the position in the ticket export the
    metric sets came with, `{"generated_timestamp": <unix>}`, moved exactly as the tickets stream moves it. The
    official connector's `{"_ab_updated_at": <unix>}` (and its nested parent state) is accepted.

    When tickets are synced too, from the same position, both streams read the same export pages: the tickets stream
    asks for the sideload and ticket_metrics takes its pages (sharing.py), so the export is read once, not twice.
    https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api/#sideloading-related-records
    """

    endpoint = "incremental/tickets/cursor.json"
    records_key = "metric_sets"
    params = {"include": "metric_sets"}
    paginator = ExportCursorPaginator()
    count_endpoint = "tickets/count.json"  # one metric set per ticket
    position = ExportPosition(key="generated_timestamp", field="generated_timestamp", codec=UNIX, observe="tickets",
                              cursor="updated_at")
    pages_of = "tickets"
    embedded_as = "metric_set"
    legacy_state_keys = (
        ("parent_state", "tickets", "generated_timestamp"),
        ("_ab_updated_at",),
        ("state", "_ab_updated_at"),
    )


class TicketFields(ZendeskStream):
    """System and custom ticket fields, options nested. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_fields/#list-ticket-fields
    """

    endpoint = "ticket_fields.json"
    records_key = "ticket_fields"
    paginator = PageCursorPaginator()
    position = ListPosition()


class Tags(ZendeskStream):
    """The account's most used tags of the last 60 days (at most 20,000), with their counts.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/tags/#list-tags
    """

    primary_key = "name"
    endpoint = "tags.json"
    records_key = "tags"
    paginator = PageCursorPaginator()


class TicketForms(ZendeskStream):
    """Ticket forms, active and inactive, served whole. No server-side time filter: filtered here.
    https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_forms/#list-ticket-forms
    """

    endpoint = "ticket_forms.json"
    records_key = "ticket_forms"
    paginator = NextPagePaginator()
    position = ListPosition()
    requires = "ticket forms (Support Enterprise or Suite Growth and above)"


class CustomStatuses(ZendeskStream):
    """Custom ticket statuses, served whole (not in the official connector). No server-side time filter.
    https://developer.zendesk.com/api-reference/ticketing/tickets/custom_ticket_statuses/#list-custom-ticket-statuses
    """

    endpoint = "custom_statuses.json"
    records_key = "custom_statuses"
    paginator = Unpaginated()
    position = ListPosition()


class SatisfactionRatings(ZendeskStream):
    """Satisfaction ratings (legacy CSAT), asked for from the state on with the list's `start_time` filter and
    filtered here too, so a page with older ratings loses nothing and repeats nothing.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/satisfaction_ratings/#list-satisfaction-ratings
    """

    endpoint = "satisfaction_ratings.json"
    records_key = "satisfaction_ratings"
    paginator = PageCursorPaginator()
    position = ListPosition(since_param="start_time")
    requires = "satisfaction ratings turned on (legacy CSAT)"


class TicketActivities(ZendeskStream):
    """The activity stream of the connector's user (assignments, comments on its tickets), last 30 days at most,
    asked for from the state on (`since`) and filtered here.
    https://developer.zendesk.com/api-reference/ticketing/tickets/activity_stream/#list-activities
    """

    endpoint = "activities.json"
    records_key = "activities"
    paginator = PageCursorPaginator()
    position = ListPosition(since_param="since", since_codec=ISO)


class TicketSkips(ZendeskStream):
    """Tickets agents skipped in guided mode, and why. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_skips/#list-ticket-skips
    """

    endpoint = "skips.json"
    records_key = "skips"
    paginator = PageCursorPaginator()
    position = ListPosition()


class DeletedTickets(ZendeskStream):
    """Tickets deleted (soft-deleted: restorable) in the last 30 days, not yet scrubbed nor archived, with who deleted
    them and the status they had. No server-side time filter: the list (at most 30 days of deletions) is read whole
    and filtered here on `deleted_at`. Zendesk allows 10 requests a minute here (5 past page 100); a 429 is waited out.
    https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#list-deleted-tickets
    """

    endpoint = "deleted_tickets.json"
    records_key = "deleted_tickets"
    paginator = PageCursorPaginator()
    position = ListPosition(key="deleted_at", field="deleted_at")
    legacy_state_keys = (("updated_at",),)  # the official connector 5.x's shape


class SuspendedTickets(ZendeskStream):
    """The suspension queue: emails Zendesk held back instead of making them tickets (spam, unverified senders, mail
    loops...), with the cause. Recovered or deleted ones leave it; unreviewed ones are deleted after 14 days. No
    server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/tickets/suspended_tickets/#list-suspended-tickets
    """

    endpoint = "suspended_tickets.json"
    records_key = "suspended_tickets"
    paginator = PageCursorPaginator()
    position = ListPosition()
    requires = "permission to manage suspended tickets (an admin, or an agent whose role allows it)"
