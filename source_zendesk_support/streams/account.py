"""Account configuration: brands, custom roles, business-hours schedules and their holidays, skills-based routing and
the audit log."""

from __future__ import annotations

from typing import Any

import requests

from ..errors import json_body
from ..failures import BrokenPagination
from ..paginators import NextPagePaginator, PageCursorPaginator, Unpaginated
from ..per_parent import PerParentList
from ..state import CreatedWindowPosition, FullRefresh, ListPosition, Record
from .base import ZendeskStream


class Brands(ZendeskStream):
    """The account's brands, deleted ones included and flagged (`is_deleted`). Full refresh, as the official connector.
    https://developer.zendesk.com/api-reference/ticketing/account-configuration/brands/#list-brands
    """

    endpoint = "brands.json"
    records_key = "brands"
    paginator = PageCursorPaginator()


class CustomRoles(ZendeskStream):
    """Custom agent roles and what each may do, served whole. No server-side time filter: filtered here.
    https://developer.zendesk.com/api-reference/ticketing/account-configuration/custom_roles/#list-custom-roles
    """

    endpoint = "custom_roles.json"
    records_key = "custom_roles"
    paginator = Unpaginated()
    position = ListPosition()
    requires = "custom roles (the Enterprise plan)"


BUSINESS_HOURS = "business hours (Support Professional or Suite Growth and above)"


class Schedules(ZendeskStream):
    """Business-hours schedules with their weekly intervals (minutes from Sunday 00:00), served whole.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/schedules/#list-schedules
    """

    endpoint = "business_hours/schedules.json"
    records_key = "schedules"
    paginator = Unpaginated()
    position = ListPosition()
    requires = BUSINESS_HOURS


class ScheduleHolidays(ZendeskStream):
    """The holidays of every schedule (dates its business hours do not count), each with its `schedule_id`: Zendesk
    lists them only per schedule, so the stream reads the schedules list (its own request, or the schedules stream's
    page when both are synced in full refresh, sharing.py) and asks each schedule for its holidays, one response
    each. Full refresh: a holiday has no time to filter on. On a plan without schedules the schedules list is
    refused and the stream skipped with one warning; a 404 for one schedule (deleted during the sync) skips it only.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/schedules/#list-holidays-for-a-schedule
    """

    endpoint = Schedules.endpoint
    records_key = "holidays"
    paginator = Unpaginated()
    position = FullRefresh(observe="schedules")
    pages_of = "schedules"
    per_parent = PerParentList("business_hours/schedules/{id}/holidays.json", Unpaginated(), noun="schedule", gated=False,
                         inject={"schedule_id": "id"})
    requires = BUSINESS_HOURS


class AccountAttributes(ZendeskStream):
    """Skills-based routing attributes (ids are UUID strings). Full refresh, as the official connector.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/skill_based_routing/#list-account-attributes
    """

    endpoint = "routing/attributes.json"
    records_key = "attributes"
    paginator = NextPagePaginator()
    requires = "skills-based routing (the Enterprise plan)"


class AttributeDefinitions(ZendeskStream):
    """The conditions a routing attribute can use, one record per condition, tagged `condition: all` or `any` after
    the list Zendesk puts it in. They have no id: no primary key, full refresh, as the official connector.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/skill_based_routing/#list-routing-attribute-definitions
    """

    primary_key = None  # type: ignore[assignment]
    natural_key = ("condition", "subject")
    endpoint = "routing/attributes/definitions.json"
    records_key = "definitions"
    paginator = Unpaginated()
    requires = "skills-based routing (the Enterprise plan)"

    def _records(self, response: requests.Response) -> list[Record]:
        definitions = json_body(response).get(self.records_key)
        if not isinstance(definitions, dict):
            raise BrokenPagination(f"a page of '{self.name}' has no '{self.records_key}' object")
        rows: list[Record] = []
        for condition in ("all", "any"):
            listed: Any = definitions.get(f"conditions_{condition}")  # Zendesk sends both lists, empty or not
            if not isinstance(listed, list) or not all(isinstance(row, dict) for row in listed):
                raise BrokenPagination(f"'{self.name}' has a 'conditions_{condition}' that is not a list of objects")
            rows += [{**row, "condition": condition} for row in listed]
        return rows


class AuditLogs(ZendeskStream):
    """The account's audit log (who changed which setting), oldest first within a time window from the state on.
    https://developer.zendesk.com/api-reference/ticketing/account-configuration/audit_logs/#list-audit-logs
    """

    endpoint = "audit_logs.json"
    records_key = "audit_logs"
    params = {"sort": "created_at"}
    paginator = PageCursorPaginator()
    position = CreatedWindowPosition(window_param="filter[created_at][]")
    requires = "the audit log (the Enterprise plan)"
