"""The conversation log of messaging tickets: the messages of Zendesk messaging (web and mobile messaging, WhatsApp,
Messenger, Instagram...), which the ticket event export does not hold, asked for per ticket."""

from __future__ import annotations

from ..instants import UNIX
from ..paginators import ExportCursorPaginator, PageCursorPaginator
from ..per_parent import PerParentList
from ..state import ExportPosition
from .base import ZendeskStream

# A ticket's `via.channel` when it came from a messaging channel (Sunshine Conversations). Zendesk's docs list no
# set; these are the channel names its via types take for messaging, as public clients of the API name them
# (notes/conversation-log.md). Any other channel costs no request.
MESSAGING_CHANNELS = frozenset({
    "native_messaging", "whatsapp", "sunshine_conversations_facebook_messenger", "instagram_dm", "line", "wechat",
    "telegram", "viber", "kakaotalk", "apple_business_chat", "google_business_messages", "google_rcs",
    "messagebird_sms", "twilio_sms", "sunshine_conversations_twitter_dm", "sunshine_conversations_api",
})  # fmt: skip


class ConversationLog(ZendeskStream):
    """The conversation log entries (messages from end users, agents and bots, and the ticket's comments) of the
    messaging tickets changed since the state, each with its `ticket_id`: Zendesk serves them only per ticket,
    `tickets/{id}/conversation_log` (cursor pages of up to 100).

    Read as side_conversations reads: the ticket export's pages (the tickets stream's when both are synced from the
    same position, sharing.py), and for each ticket on a page whose `via.channel` is a messaging channel, every page
    of its log, before the position moves past the page. A ticket from any other channel costs no request, so an
    account without messaging costs none. A new message updates its ticket, which brings it back to the export. The
    catalog's cursor is the entry's `created_at`; the state is the export's `{"generated_timestamp": <unix>}`.
    https://developer.zendesk.com/api-reference/ticketing/tickets/conversation_log/
    """

    endpoint = "incremental/tickets/cursor.json"
    records_key = "events"
    paginator = ExportCursorPaginator()
    position = ExportPosition(key="generated_timestamp", field="generated_timestamp", codec=UNIX, observe="tickets",
                              cursor="created_at")
    pages_of = "tickets"
    per_parent = PerParentList(
        "tickets/{id}/conversation_log.json",
        PageCursorPaginator(),
        skip={"status": "deleted"},
        only={"via.channel": MESSAGING_CHANNELS},
        noun="ticket",
        inject={"ticket_id": "id"},
    )
    requires = "Zendesk messaging (the Conversation Log API)"
