"""Business rules API area: macros."""

from __future__ import annotations

from ..paginators import PageCursorPaginator
from ..state import ListPosition
from .base import ZendeskStream


class Macros(ZendeskStream):
    """Macros, active and inactive, their actions nested. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/business-rules/macros/#list-macros
    """

    endpoint = "macros.json"
    records_key = "macros"
    cursor_field = "updated_at"
    paginator = PageCursorPaginator()
    position = ListPosition()
