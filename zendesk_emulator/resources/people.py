"""The account itself, its users and organizations, their groups, memberships, identities and custom field lists."""

from __future__ import annotations

from ..api import account_routes, catalog_routes, derived_routes, exports, items, lists
from ..data import custom_fields, ids, mutate_catalog, mutations, org_memberships, truth
from .declaration import ChangedThrough, Mutation, Resource, catalog, field_list, routes

RESOURCES = (
    Resource(
        "account",  # no stream: what clients ask to check their credentials and plan
        routes(
            ("account/settings", r"account/settings", lambda c: account_routes.settings(c.ds)),
            ("users/me", r"users/me", lambda c: account_routes.me(c.ds, c.req.user_id)),
            ("channels/voice/phone_numbers", r"channels/voice/phone_numbers",
             lambda c: account_routes.empty_list("phone_numbers")),
        ),
    ),
    Resource(
        "users",
        routes(
            ("incremental/users/cursor", r"incremental/users/cursor",
             lambda c: exports.cursor_export(c.ds, c.req, "users", c.now)),
            ("incremental/users", r"incremental/users", lambda c: exports.time_export(c.ds, c.req, "users", c.now)),
            ("users", r"users", lambda c: lists.users(c.ds, c.req)),
            ("users/count", r"users/count", lambda c: lists.count(c.ds, "users", c.now)),
            ("users/{id}", r"users/(\d+)", lambda c: items.user(c.ds, c.id)),
        ),
        ids=(ids.USER,),
        truth=truth.users,
        mutate=Mutation(mutations.users),
    ),
    Resource(
        "user_identities",  # also sideloaded on the user export (include=identities)
        routes(("users/{id}/identities", r"users/(\d+)/identities",
                lambda c: derived_routes.user_identities(c.ds, c.req, c.id))),
        ids=(ids.IDENTITY,),
        truth=truth.user_identities,
        mutate=ChangedThrough("users", "identities follow their users: mutate users"),
    ),
    Resource(
        "organizations",
        routes(
            ("incremental/organizations", r"incremental/organizations",
             lambda c: exports.time_export(c.ds, c.req, "organizations", c.now)),
            ("organizations", r"organizations", lambda c: lists.organizations(c.ds, c.req)),
            ("organizations/count", r"organizations/count", lambda c: lists.count(c.ds, "organizations", c.now)),
            ("organizations/{id}", r"organizations/(\d+)", lambda c: items.organization(c.ds, c.id)),
        ),
        ids=(ids.ORGANIZATION,),
        truth=truth.organizations,
        mutate=Mutation(mutations.organizations),
    ),
    Resource(
        "organization_memberships",
        routes(
            ("organization_memberships", r"organization_memberships",
             lambda c: derived_routes.organization_memberships(c.ds, c.req)),
            ("organization_memberships/{id}", r"organization_memberships/(\d+)",
             lambda c: derived_routes.organization_membership(c.ds, c.id)),
            ("users/{id}/organization_memberships", r"users/(\d+)/organization_memberships",
             lambda c: derived_routes.organization_memberships(c.ds, c.req, user_id=c.id)),
            ("organizations/{id}/organization_memberships", r"organizations/(\d+)/organization_memberships",
             lambda c: derived_routes.organization_memberships(c.ds, c.req, org_id=c.id)),
        ),
        ids=(ids.ORG_MEMBERSHIP,),
        truth=truth.organization_memberships,
        mutate=catalog(org_memberships.mutate),
    ),
    Resource(
        "groups",  # deleted groups stay, flagged (listed with exclude_deleted=false)
        routes(
            ("groups", r"groups", lambda c: lists.groups(c.ds, c.req)),
            ("groups/{id}", r"groups/(\d+)", lambda c: items.from_list("group", c.ds.catalog.groups, c.id)),
        ),
        ids=(ids.GROUP,),
        truth=truth.listed("groups"),
        mutate=catalog(mutate_catalog.groups, logged_as="group"),
    ),
    Resource(
        "group_memberships",
        routes(("group_memberships", r"group_memberships", lambda c: lists.group_memberships(c.ds, c.req))),
        ids=(ids.MEMBERSHIP,),
        truth=truth.listed("memberships"),
        mutate=catalog(mutate_catalog.memberships),
    ),
    Resource(
        "user_fields",
        routes(("user_fields", r"user_fields", lambda c: catalog_routes.positioned(c.ds, c.req, "user_fields"))),
        ids=(ids.USER_FIELD,),
        truth=truth.live("user_fields"),
        mutate=field_list(custom_fields.user_fields, logged_as="user_field"),
    ),
    Resource(
        "organization_fields",
        routes(("organization_fields", r"organization_fields",
                lambda c: catalog_routes.positioned(c.ds, c.req, "organization_fields"))),
        ids=(ids.ORG_FIELD,),
        truth=truth.live("organization_fields"),
        mutate=field_list(custom_fields.organization_fields, logged_as="organization_field"),
    ),
)
