"""Users API area: users, organizations, groups, their memberships and custom fields."""

from __future__ import annotations

from ..instants import ISO
from ..paginators import ExportCursorPaginator, PageCursorPaginator, SizedExportTimePaginator
from ..state import EndTimePosition, ExportPosition, ListPosition
from .base import ZendeskStream


class Users(ZendeskStream):
    """Users from the cursor-based incremental export, 1,000 per page (deleted users have `active: false`).
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-user-export-cursor-based
    """

    endpoint = "incremental/users/cursor.json"
    records_key = "users"
    paginator = ExportCursorPaginator()
    count_endpoint = "users/count.json"
    position = ExportPosition(key="updated_at", field="updated_at", codec=ISO)


class Organizations(ZendeskStream):
    """Organizations from the time-based incremental export, `per_page` 1,000 (smaller after a 504); the boundary
    records Zendesk repeats are dropped.
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-organization-export
    """

    endpoint = "incremental/organizations.json"
    records_key = "organizations"
    paginator = SizedExportTimePaginator()
    count_endpoint = "organizations/count.json"
    position = EndTimePosition()


class Groups(ZendeskStream):
    """Groups, deleted ones included (`deleted: true`, kept by `exclude_deleted=false`).
    https://developer.zendesk.com/api-reference/ticketing/groups/groups/#list-groups
    """

    endpoint = "groups.json"
    records_key = "groups"
    params = {"exclude_deleted": "false"}
    paginator = PageCursorPaginator()
    position = ListPosition()


class GroupMemberships(ZendeskStream):
    """Which agent belongs to which group. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/groups/group_memberships/#list-memberships
    """

    endpoint = "group_memberships.json"
    records_key = "group_memberships"
    paginator = PageCursorPaginator()
    position = ListPosition()


class OrganizationMemberships(ZendeskStream):
    """Which user belongs to which organization. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/organizations/organization_memberships/#list-memberships
    """

    endpoint = "organization_memberships.json"
    records_key = "organization_memberships"
    paginator = PageCursorPaginator()
    position = ListPosition()


class OrganizationFields(ZendeskStream):
    """Custom organization fields, options nested. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/ticketing/organizations/organization_fields/#list-organization-fields
    """

    endpoint = "organization_fields.json"
    records_key = "organization_fields"
    paginator = PageCursorPaginator()
    position = ListPosition()


class UserFields(ZendeskStream):
    """Custom user fields, options nested. Full refresh, as the official connector.
    https://developer.zendesk.com/api-reference/ticketing/users/user_fields/#list-user-fields
    """

    endpoint = "user_fields.json"
    records_key = "user_fields"
    paginator = PageCursorPaginator()


class UserIdentities(ZendeskStream):
    """Users' identities (email addresses, phone numbers, social accounts) as the user export sideloads them
    (`include=identities`): those of 1,000 users per request, never one request per user.

    The state is the position in the user export the identities came with, `{"updated_at": "<ISO>"}`, moved exactly
    as the users stream moves it (the official connector's unix string in the same key is accepted). When users are
    synced too, from the same position, both read the same export pages (sharing.py).
    https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api/#sideloading-related-records
    """

    endpoint = "incremental/users/cursor.json"
    records_key = "identities"
    params = {"include": "identities"}
    paginator = ExportCursorPaginator()
    position = ExportPosition(key="updated_at", field="updated_at", codec=ISO, observe="users")
    pages_of = "users"


class DeletedUsers(ZendeskStream):
    """Deleted users, soft-deleted and permanently deleted ones alike (those scrubbed: name "Permanently Deleted User",
    personal data null). No server-side time filter: read whole, filtered here on `updated_at`.
    https://developer.zendesk.com/api-reference/ticketing/users/users/#list-deleted-users
    """

    endpoint = "deleted_users.json"
    records_key = "deleted_users"
    paginator = PageCursorPaginator()
    position = ListPosition()
