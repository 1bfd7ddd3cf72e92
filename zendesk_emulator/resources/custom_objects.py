"""Custom objects (the new custom objects API): the objects, their fields and their records (data/custom_objects.py,
api/custom_object_routes.py). An object's key is its `{id}` in route names, as the request stats count them."""

from __future__ import annotations

from ..api import custom_object_routes
from ..data import custom_objects, ids
from .declaration import CatalogHandler, Mutation, Resource, routes

KEY = r"([a-z0-9_]+)"  # an object's key: lower-case letters, digits and underscores


def _changed(handler: CatalogHandler) -> Mutation:
    return Mutation(lambda c: handler(c.ds, c.rng, c.ts, c.create, c.update, c.delete))


RESOURCES = (
    Resource(
        "custom_objects",  # keyed by `key` (ids are strings)
        routes(
            ("custom_objects", r"custom_objects", lambda c: custom_object_routes.objects(c.ds)),
            ("custom_objects/{id}", rf"custom_objects/{KEY}", lambda c: custom_object_routes.one_object(c.ds, c.args[0])),
        ),
        truth=custom_objects.truth_objects,
        mutate=_changed(custom_objects.mutate_objects),
        feature="custom_objects",
    ),
    Resource(
        "custom_object_fields",
        routes(
            ("custom_objects/{id}/fields", rf"custom_objects/{KEY}/fields",
             lambda c: custom_object_routes.fields(c.ds, c.req, c.args[0])),
        ),
        ids=(ids.CUSTOM_OBJECT_FIELD,),
        truth=custom_objects.truth_fields,
        mutate=_changed(custom_objects.mutate_fields),
        feature="custom_objects",
    ),
    Resource(
        "custom_object_records",  # ids are strings; deleted records stay in the export 30 days as "[DELETED]"
        routes(
            ("custom_objects/{id}/records", rf"custom_objects/{KEY}/records",
             lambda c: custom_object_routes.records(c.ds, c.req, c.args[0])),
            ("incremental/custom_objects/{id}/cursor", rf"incremental/custom_objects/{KEY}/cursor",
             lambda c: custom_object_routes.export(c.ds, c.req, c.args[0], c.now)),
        ),
        truth=custom_objects.truth_records,
        mutate=_changed(custom_objects.mutate_records),
        feature="custom_objects",
    ),
)
