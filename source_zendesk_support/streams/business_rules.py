"""Business rules API area: macros, automations, triggers, views and SLA policies."""

from __future__ import annotations

from ..paginators import NextPagePaginator, PageCursorPaginator
from ..state import ListPosition
from .base import ZendeskStream


class Macros(ZendeskStream):
    """Macros, active and inactive, their actions nested. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/business-rules/macros/#list-macros
    """

    endpoint = "macros.json"
    records_key = "macros"
    paginator = PageCursorPaginator()
    position = ListPosition()


class Automations(ZendeskStream):
    """Automations, active and inactive, conditions and actions nested. Full refresh, as the official connector.
    https://developer.zendesk.com/api-reference/ticketing/business-rules/automations/#list-automations
    """

    endpoint = "automations.json"
    records_key = "automations"
    paginator = PageCursorPaginator()


class Triggers(ZendeskStream):
    """Triggers, active and inactive. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/business-rules/triggers/#list-triggers
    """

    endpoint = "triggers.json"
    records_key = "triggers"
    paginator = PageCursorPaginator()
    position = ListPosition()


class SlaPolicies(ZendeskStream):
    """SLA policies with their filters and targets, served whole. No server-side time filter: filtered here.
    https://developer.zendesk.com/api-reference/ticketing/business-rules/sla_policies/#list-sla-policies
    """

    endpoint = "slas/policies.json"
    records_key = "sla_policies"
    paginator = NextPagePaginator()
    position = ListPosition()
    requires = "SLA policies (Support Professional or Suite Growth and above)"


class Views(ZendeskStream):
    """Views, shared and the connector user's personal ones, active and inactive, conditions and columns nested. No
    server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/business-rules/views/#list-views
    """

    endpoint = "views.json"
    records_key = "views"
    paginator = PageCursorPaginator()
    position = ListPosition()
