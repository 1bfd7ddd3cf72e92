"""Tickets and what hangs on them: audits, metric sets, comments, events, side conversations, ratings, skips and
activities, and the ticket configuration (fields, forms, statuses, tags)."""

from __future__ import annotations

from ..api import catalog_routes, derived_routes, exports, items, lists, search
from ..data import conversation_log, custom_fields, ids, mutate_more, mutations, side_conversations, truth
from ..data import metric_events as metric_event_rows
from ..data import ticket_events as ticket_event_rows
from .declaration import ChangedThrough, Mutation, Resource, catalog, field_list, routes

FOLLOW_TICKETS = "mutate tickets (update=n adds an audit, its events and a comment to n tickets)"

RESOURCES = (
    Resource(
        "tickets",
        routes(
            ("incremental/tickets/cursor", r"incremental/tickets/cursor",
             lambda c: exports.cursor_export(c.ds, c.req, "tickets", c.now)),
            ("incremental/tickets", r"incremental/tickets", lambda c: exports.time_export(c.ds, c.req, "tickets", c.now)),
            # The three time-based exports' samples share one route (and so one name for faults and stats).
            ("incremental/sample", r"incremental/(tickets|users|organizations)/sample",
             lambda c: exports.time_export(c.ds, c.req, c.args[0], c.now, sample=True)),
            ("tickets", r"tickets", lambda c: lists.tickets(c.ds, c.req)),
            ("tickets/count", r"tickets/count", lambda c: lists.count(c.ds, "tickets", c.now)),
            ("tickets/{id}", r"tickets/(\d+)", lambda c: items.ticket(c.ds, c.id)),
        ),
        ids=(0,),  # Zendesk's nice ids, from 1
        truth=truth.tickets,
        mutate=Mutation(mutations.tickets),
    ),
    Resource(
        "ticket_metrics",
        routes(
            ("tickets/{id}/metrics", r"tickets/(\d+)/metrics", lambda c: items.ticket_metrics(c.ds, c.id)),
            ("ticket_metrics", r"ticket_metrics", lambda c: lists.ticket_metrics(c.ds, c.req)),
            ("ticket_metrics/{id}", r"ticket_metrics/(\d+)", lambda c: items.metric_set(c.ds, c.id)),
        ),
        ids=(ids.METRIC,),
        truth=truth.metric_sets(archived=False),
        # Our stream reads the metric sets sideloaded on the ticket export, which cover archived tickets too.
        views={"ticket_metrics_all": truth.metric_sets(archived=True)},
        synced_as="ticket_metrics_all",
        mutate=Mutation(mutations.ticket_metrics),
    ),
    Resource(
        "ticket_audits",
        routes(
            ("tickets/{id}/audits", r"tickets/(\d+)/audits", lambda c: items.ticket_audits(c.ds, c.req, c.id)),
            ("ticket_audits", r"ticket_audits", lambda c: lists.ticket_audits(c.ds, c.req)),
        ),
        ids=(ids.AUDIT,),
        truth=truth.audits("ticket_audits"),
        views={"ticket_audits_all": truth.audits("ticket_audits_all")},  # per ticket, archived tickets' included
        mutate=Mutation(mutations.ticket_audits),
    ),
    Resource(
        "side_conversations",
        routes(("tickets/{id}/side_conversations", r"tickets/(\d+)/side_conversations",
                lambda c: derived_routes.ticket_side_conversations(c.ds, c.req, c.id))),
        truth=side_conversations.truth_rows,  # UUID ids
        mutate=catalog(side_conversations.mutate),
        feature="side_conversations",
    ),
    Resource(
        "conversation_log",
        routes(("tickets/{id}/conversation_log", r"tickets/(\d+)/conversation_log",
                lambda c: derived_routes.ticket_conversation_log(c.ds, c.req, c.id))),
        truth=conversation_log.truth_rows,  # ULID ids
        mutate=catalog(conversation_log.mutate),  # create only: a new message, which moves its ticket
    ),
    Resource(
        "ticket_comments",
        routes(("tickets/{id}/comments", r"tickets/(\d+)/comments", lambda c: items.ticket_comments(c.ds, c.req, c.id))),
        ids=(ids.EVENT,),
        truth=truth.ticket_comments,
        mutate=ChangedThrough("tickets", f"ticket comments follow their tickets: {FOLLOW_TICKETS}"),
    ),
    Resource(
        "ticket_events",
        routes(
            ("incremental/ticket_events", r"incremental/ticket_events", lambda c: exports.ticket_events(c.ds, c.req, c.now)),
            ("incremental/ticket_events/sample", r"incremental/ticket_events/sample",
             lambda c: exports.ticket_events(c.ds, c.req, c.now, sample=True)),
        ),
        ids=(ids.AUDIT,),  # an event is its audit
        truth=truth.ticket_event_rows,
        mutate=ChangedThrough("tickets", f"ticket events follow their tickets: {FOLLOW_TICKETS}"),
    ),
    # Streams of the ticket event export's children: no route of their own.
    Resource(
        "ticket_field_history",
        truth=ticket_event_rows.truth_field_history,  # ids "<child id>:<field name>"
        mutate=ChangedThrough("tickets", f"a ticket's field history follows its updates: {FOLLOW_TICKETS}"),
    ),
    Resource(
        "ticket_schedules",
        ids=(ids.EVENT,),
        truth=ticket_event_rows.truth_ticket_schedules,
        mutate=ChangedThrough("tickets", "a ticket's schedule is set by a trigger when it is created: mutate tickets"),
    ),
    Resource(
        "ticket_metric_events",
        routes(("incremental/ticket_metric_events", r"incremental/ticket_metric_events",
                lambda c: exports.metric_events(c.ds, c.req, c.now))),
        ids=(ids.METRIC,),
        truth=truth.ticket_metric_events,
        mutate=ChangedThrough("tickets", f"ticket metric events follow their tickets: {FOLLOW_TICKETS}"),
    ),
    Resource(
        "ticket_sla_policies",  # the apply_sla events of the metric event export
        ids=(ids.METRIC,),
        truth=metric_event_rows.truth_sla_policies,
        mutate=ChangedThrough("tickets", "SLA policies apply when tickets change: mutate tickets"),
    ),
    Resource(
        "satisfaction_ratings",
        routes(("satisfaction_ratings", r"satisfaction_ratings", lambda c: lists.satisfaction_ratings(c.ds, c.req, c.now))),
        ids=(ids.RATING,),
        truth=truth.satisfaction_ratings,
        mutate=ChangedThrough("tickets", "satisfaction ratings follow their tickets' surveys: mutate tickets"),
        feature="satisfaction_ratings",
    ),
    Resource(
        "ticket_skips",
        routes(
            ("skips", r"skips", lambda c: derived_routes.skips(c.ds, c.req)),
            ("users/{id}/skips", r"users/(\d+)/skips", lambda c: derived_routes.skips(c.ds, c.req, user_id=c.id)),
            ("tickets/{id}/skips", r"tickets/(\d+)/skips", lambda c: derived_routes.skips(c.ds, c.req, ticket_id=c.id)),
        ),
        ids=(ids.SKIP,),
        truth=truth.ticket_skips,
        mutate=catalog(mutate_more.ticket_skips),
    ),
    Resource(
        "ticket_activities",
        routes(
            ("activities", r"activities", lambda c: derived_routes.activities(c.ds, c.req)),
            ("activities/{id}", r"activities/(\d+)", lambda c: derived_routes.activity(c.ds, c.id)),
        ),
        ids=(ids.ACTIVITY,),
        truth=truth.ticket_activities,
        mutate=ChangedThrough("tickets", "activities follow ticket updates: mutate tickets (update=n)"),
    ),
    Resource(
        "tags",  # names, no ids; they live on tickets
        routes(("tags", r"tags", lambda c: lists.tags(c.ds, c.req))),
        truth=truth.tags,
        mutate=Mutation(mutations.tags),
    ),
    Resource(
        "ticket_fields",
        routes(
            ("ticket_fields", r"ticket_fields", lambda c: lists.ticket_fields(c.ds, c.req)),
            ("ticket_fields/{id}", r"ticket_fields/(\d+)",
             lambda c: items.from_list("ticket_field", c.ds.catalog.ticket_fields, c.id)),
        ),
        ids=(ids.FIELD,),
        truth=truth.listed("ticket_fields"),
        mutate=field_list(custom_fields.ticket_fields, logged_as="ticket_field"),
    ),
    Resource(
        "ticket_forms",
        routes(
            ("ticket_forms", r"ticket_forms", lambda c: catalog_routes.ticket_forms(c.ds, c.req)),
            ("ticket_forms/{id}", r"ticket_forms/(\d+)",
             lambda c: catalog_routes.one("ticket_form", c.ds.catalog.ticket_forms, c.args[0])),
        ),
        ids=(ids.FORM,),
        truth=truth.live("ticket_forms"),
        mutate=catalog(mutate_more.ticket_forms, logged_as="ticket_form"),
        feature="ticket_forms",
    ),
    Resource(
        "custom_statuses",
        routes(
            ("custom_statuses", r"custom_statuses", lambda c: catalog_routes.custom_statuses(c.ds, c.req)),
            ("custom_statuses/{id}", r"custom_statuses/(\d+)",
             lambda c: catalog_routes.one("custom_status", c.ds.catalog.custom_statuses, c.args[0])),
        ),
        ids=(ids.CUSTOM_STATUS,),
        truth=truth.live("custom_statuses"),
        mutate=catalog(mutate_more.custom_statuses, logged_as="custom_status"),
    ),
    Resource(
        "search",  # no stream: what tap-zendesk's discovery asks
        routes(
            ("search", r"search", lambda c: search.search(c.ds, c.req)),
            ("search/count", r"search/count", lambda c: search.search(c.ds, c.req, count_only=True)),
        ),
    ),
)
