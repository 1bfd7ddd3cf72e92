"""Users API area: users, organizations, groups and group memberships."""

from __future__ import annotations

from ..paginators import ExportCursorPaginator, ExportTimePaginator, PageCursorPaginator
from ..state import ISO, EndTimePosition, ExportPosition, ListPosition
from .base import ZendeskStream


class Users(ZendeskStream):
    """Users from the cursor-based incremental export, 1,000 per page (deleted users have `active: false`).
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-user-export-cursor-based
    """

    endpoint = "incremental/users/cursor.json"
    records_key = "users"
    cursor_field = "updated_at"
    paginator = ExportCursorPaginator()
    position = ExportPosition(key="updated_at", field="updated_at", codec=ISO)


class Organizations(ZendeskStream):
    """Organizations from the time-based incremental export; the boundary records Zendesk repeats are dropped.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-organization-export
    """

    endpoint = "incremental/organizations.json"
    records_key = "organizations"
    cursor_field = "updated_at"
    paginator = ExportTimePaginator()
    position = EndTimePosition()


class Groups(ZendeskStream):
    """Groups, deleted ones included (`deleted: true`, kept by `exclude_deleted=false`).
    https://developer.zendesk.com/api-reference/ticketing/groups/groups/#list-groups
    """

    endpoint = "groups.json"
    records_key = "groups"
    params = {"exclude_deleted": "false"}
    cursor_field = "updated_at"
    paginator = PageCursorPaginator()
    position = ListPosition()


class GroupMemberships(ZendeskStream):
    """Which agent belongs to which group.
    https://developer.zendesk.com/api-reference/ticketing/groups/group_memberships/#list-memberships
    """

    endpoint = "group_memberships.json"
    records_key = "group_memberships"
    paginator = PageCursorPaginator()
