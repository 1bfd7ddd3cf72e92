"""Ticket audits: the history of every ticket update, events nested."""

from __future__ import annotations

from ..paginators import AuditCursorPaginator
from ..state import AuditWalkPosition
from .base import ZendeskStream


class TicketAudits(ZendeskStream):
    """Audits of every non-archived ticket, newest first, 1,000 per page, walked down to the previous state
    (see AuditWalkPosition for why the state may only move once the walk is over, and how a cut walk resumes).
    https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/#list-all-ticket-audits
    """

    endpoint = "ticket_audits.json"
    records_key = "audits"
    paginator = AuditCursorPaginator()
    position = AuditWalkPosition()
