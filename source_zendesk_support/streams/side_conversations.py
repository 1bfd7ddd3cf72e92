"""Side conversations: the one stream asked for per ticket, since Zendesk lists them only under their ticket."""

from __future__ import annotations

from ..instants import UNIX
from ..paginators import ExportCursorPaginator, NextPagePaginator
from ..per_parent import PerParentList
from ..state import ExportPosition
from .base import ZendeskStream


class SideConversations(ZendeskStream):
    """Side conversations (email, Slack, Teams or child-ticket threads kept on a ticket) of the tickets changed
    since the state: Zendesk has no export or list of them across tickets, only `tickets/{id}/side_conversations`.

    The stream reads the ticket export's pages (alone it requests `incremental/tickets/cursor.json` itself; with
    tickets synced from the same position it takes the tickets stream's pages, sharing.py), asks each ticket on a
    page for its side conversations (every page of them, 100 at a time), and only then moves its position, the
    tickets' `generated_timestamp` on that page, as ticket_metrics does: every export page is a checkpoint, and only
    tickets changed since the state cost a request. Deleted tickets (status "deleted" in the export) have none and
    are not asked for. Zendesk records side conversation events on their ticket, which moves its
    `generated_timestamp`, so a changed side conversation brings its ticket back to the export. Records are not
    filtered on their own `updated_at`: should a change ever fail to move its ticket, the ticket's next change
    still brings it.

    Needs the Collaboration add-on: without it Zendesk refuses the first ticket's list (403 or 404) and the stream is
    skipped with one warning. A 404 for one ticket after others answered (deleted during the sync) skips that
    ticket only. The catalog's cursor is the side conversation's `updated_at` and its key the UUID `id`, as in the
    official connector; its state `{"parent_state": {"tickets": {"generated_timestamp": ...}}}` is taken as is, its
    `{"state": {"updated_at": ...}}` as a position in the ticket export (a thread's change moves its ticket, so a
    ticket with a thread changed after that instant is exported after it). Its per-ticket cursors (`states`) add
    nothing to that position and are dropped.
    https://developer.zendesk.com/api-reference/ticketing/side_conversation/side_conversation/#list-side-conversations
    """

    endpoint = "incremental/tickets/cursor.json"
    records_key = "side_conversations"
    paginator = ExportCursorPaginator()
    position = ExportPosition(key="generated_timestamp", field="generated_timestamp", codec=UNIX, observe="tickets",
                              cursor="updated_at")
    pages_of = "tickets"
    per_parent = PerParentList(
        "tickets/{id}/side_conversations.json",
        NextPagePaginator(),
        params={"per_page": 100},  # offset pages, as the official connector reads them; 100 is Zendesk's maximum
        skip={"status": "deleted"},
        noun="ticket",
    )
    requires = "the Collaboration add-on (side conversations)"
    legacy_state_keys = (
        ("parent_state", "tickets", "generated_timestamp"),
        ("state", "updated_at"),
        ("updated_at",),
    )
