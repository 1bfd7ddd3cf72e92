"""How the account is set up: brands, roles, business hours, SLA policies, business rules, routing attributes, and
the audit log of changes to them."""

from __future__ import annotations

from ..api import catalog_routes, derived_routes, items, lists
from ..data import holidays, ids, mutate_catalog, mutate_more, truth
from .declaration import ChangedThrough, Resource, catalog, routes

RESOURCES = (
    Resource(
        "macros",
        routes(
            ("macros", r"macros", lambda c: lists.macros(c.ds, c.req)),
            ("macros/active", r"macros/active", lambda c: lists.macros(c.ds, c.req, only_active=True)),
            ("macros/{id}", r"macros/(\d+)", lambda c: items.from_list("macro", c.ds.catalog.macros, c.id)),
        ),
        ids=(ids.MACRO,),
        truth=truth.listed("macros"),
        mutate=catalog(mutate_catalog.macros, logged_as="rule"),
    ),
    Resource(
        "brands",  # a deleted brand stays, flagged (tickets point at it)
        routes(
            ("brands", r"brands", lambda c: catalog_routes.brands(c.ds, c.req)),
            ("brands/{id}", r"brands/(\d+)", lambda c: catalog_routes.one("brand", c.ds.catalog.brands, c.args[0])),
        ),
        ids=(ids.BRAND,),
        truth=truth.live("brands"),
        mutate=catalog(mutate_more.brands, logged_as="brand"),
    ),
    Resource(
        "custom_roles",
        routes(
            ("custom_roles", r"custom_roles",
             lambda c: catalog_routes.whole("custom_roles", catalog_routes.live(c.ds.catalog.custom_roles))),
            ("custom_roles/{id}", r"custom_roles/(\d+)",
             lambda c: catalog_routes.one("custom_role", c.ds.catalog.custom_roles, c.args[0])),
        ),
        ids=(ids.CUSTOM_ROLE,),
        truth=truth.live("custom_roles"),
        mutate=catalog(mutate_more.custom_roles, logged_as="custom_role"),
        feature="custom_roles",
    ),
    Resource(
        "schedules",
        routes(
            ("business_hours/schedules", r"business_hours/schedules",
             lambda c: catalog_routes.whole("schedules", catalog_routes.live(c.ds.catalog.schedules))),
            ("business_hours/schedules/{id}", r"business_hours/schedules/(\d+)",
             lambda c: catalog_routes.one("schedule", c.ds.catalog.schedules, c.args[0])),
        ),
        ids=(ids.SCHEDULE,),
        truth=truth.live("schedules"),
        mutate=catalog(mutate_more.schedules, logged_as="schedule"),
        feature="business_hours",
    ),
    Resource(
        "schedule_holidays",  # no timestamps: the truth holds each holiday whole, with its schedule_id
        routes(
            ("business_hours/schedules/{id}/holidays", r"business_hours/schedules/(\d+)/holidays",
             lambda c: catalog_routes.holidays(c.ds, c.args[0])),
            ("business_hours/schedules/{id}/holidays/{id}", r"business_hours/schedules/(\d+)/holidays/(\d+)",
             lambda c: catalog_routes.holidays(c.ds, c.args[0], c.args[1])),
        ),
        ids=(ids.HOLIDAY,),
        truth=holidays.truth,
        mutate=catalog(holidays.mutate),
        feature="business_hours",
    ),
    Resource(
        "sla_policies",
        routes(
            ("slas/policies", r"slas/policies",
             lambda c: lists.unpaginated("sla_policies", catalog_routes.live(c.ds.catalog.sla_policies))),
            ("slas/policies/{id}", r"slas/policies/(\d+)",
             lambda c: catalog_routes.one("sla_policy", c.ds.catalog.sla_policies, c.args[0])),
        ),
        ids=(ids.SLA,),
        truth=truth.live("sla_policies"),
        mutate=catalog(mutate_more.sla_policies, logged_as="sla_policy"),
        feature="sla_policies",
    ),
    Resource(
        "automations",
        routes(
            ("automations", r"automations", lambda c: catalog_routes.rules(c.ds, c.req, "automations")),
            ("automations/active", r"automations/active",
             lambda c: catalog_routes.rules(c.ds, c.req, "automations", only_active=True)),
            ("automations/{id}", r"automations/(\d+)",
             lambda c: catalog_routes.one("automation", c.ds.catalog.automations, c.args[0])),
        ),
        ids=(ids.AUTOMATION, ids.CATALOG_CREATED),  # the generated ones keep the small ids audits name
        truth=truth.live("automations"),
        mutate=catalog(mutate_more.automations, logged_as="rule"),
    ),
    Resource(
        "triggers",
        routes(
            ("triggers", r"triggers", lambda c: catalog_routes.rules(c.ds, c.req, "triggers")),
            ("triggers/active", r"triggers/active", lambda c: catalog_routes.rules(c.ds, c.req, "triggers", only_active=True)),
            ("triggers/{id}", r"triggers/(\d+)", lambda c: catalog_routes.one("trigger", c.ds.catalog.triggers, c.args[0])),
        ),
        ids=(ids.TRIGGER, ids.CATALOG_CREATED),
        truth=truth.live("triggers"),
        mutate=catalog(mutate_more.triggers, logged_as="rule"),
    ),
    Resource(
        "views",  # data/views.py
        routes(
            ("views", r"views", lambda c: catalog_routes.rules(c.ds, c.req, "views")),
            ("views/active", r"views/active", lambda c: catalog_routes.rules(c.ds, c.req, "views", only_active=True)),
            ("views/{id}", r"views/(\d+)", lambda c: catalog_routes.one("view", c.ds.catalog.views, c.args[0])),
        ),
        ids=(ids.VIEW,),
        truth=truth.live("views"),
        mutate=catalog(mutate_more.views, logged_as="rule"),  # Zendesk logs views as rules
    ),
    Resource(
        "account_attributes",  # routing attributes (UUID ids)
        routes(
            ("routing/attributes", r"routing/attributes", lambda c: catalog_routes.routing_attributes(c.ds, c.req)),
            ("routing/attributes/{id}", r"routing/attributes/([0-9a-f-]{36})",
             lambda c: catalog_routes.one("attribute", c.ds.catalog.routing_attributes, c.args[0])),
        ),
        truth=truth.live("routing_attributes"),
        mutate=catalog(mutate_more.account_attributes),
        feature="skills_based_routing",
    ),
    Resource(
        "attribute_definitions",  # rows without a primary key
        routes(("routing/attributes/definitions", r"routing/attributes/definitions",
                lambda c: catalog_routes.attribute_definitions(c.ds))),
        truth=truth.attribute_definitions,
        mutate=ChangedThrough(None, "routing attribute definitions are fixed by Zendesk"),
        feature="skills_based_routing",
    ),
    Resource(
        "audit_logs",  # append-only: mutating the catalog (or create=n sign-ins) adds entries
        routes(
            ("audit_logs", r"audit_logs", lambda c: derived_routes.audit_logs(c.ds, c.req)),
            ("audit_logs/{id}", r"audit_logs/(\d+)", lambda c: derived_routes.audit_log_entry(c.ds, c.id)),
        ),
        ids=(ids.AUDIT_LOG,),
        truth=truth.audit_logs,
        mutate=catalog(mutate_more.audit_logs),
        feature="audit_logs",
    ),
)
