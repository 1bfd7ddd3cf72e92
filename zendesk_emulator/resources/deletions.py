"""What Zendesk keeps of deleted tickets and users, and the emails it held back (data/deletions.py says how each is
derived from the tickets and users and what its mutations do)."""

from __future__ import annotations

from ..api import derived_routes
from ..data import deletions, ids
from .declaration import Mutation, Resource, routes

RESOURCES = (
    Resource(
        "deleted_tickets",  # a deleted ticket's id is the ticket's
        routes(("deleted_tickets", r"deleted_tickets", lambda c: derived_routes.deleted_tickets(c.ds, c.req))),
        ids=(0,),
        truth=deletions.deleted_tickets_truth,
        mutate=Mutation(deletions.deleted_tickets_change),
    ),
    Resource(
        "deleted_users",
        routes(
            ("deleted_users", r"deleted_users", lambda c: derived_routes.deleted_users(c.ds, c.req)),
            ("deleted_users/count", r"deleted_users/count", lambda c: derived_routes.deleted_users(c.ds, c.req, count=True)),
            ("deleted_users/{id}", r"deleted_users/(\d+)", lambda c: derived_routes.deleted_user(c.ds, c.id)),
        ),
        ids=(ids.USER,),
        truth=deletions.deleted_users_truth,
        mutate=Mutation(deletions.deleted_users_change),
    ),
    Resource(
        "suspended_tickets",
        routes(
            ("suspended_tickets", r"suspended_tickets", lambda c: derived_routes.suspended_tickets(c.ds, c.req)),
            ("suspended_tickets/{id}", r"suspended_tickets/(\d+)", lambda c: derived_routes.suspended_ticket(c.ds, c.id)),
        ),
        ids=(ids.SUSPENDED,),
        truth=deletions.suspended_tickets_truth,
        mutate=Mutation(deletions.suspended_tickets_change),
    ),
)
