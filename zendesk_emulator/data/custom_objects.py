"""Custom objects (the new custom objects API): routes `custom_objects`, `custom_objects/{key}/fields`,
`custom_objects/{key}/records` and `incremental/custom_objects/{key}/cursor` (api/custom_object_routes.py), truths
`custom_objects`, `custom_object_fields`, `custom_object_records`, mutations of the same three names.

The account has three objects, built on first use (a few ms; nothing at start-up): `product` (a field of every value
type Zendesk has: text, textarea, checkbox, date, integer, decimal, regexp, dropdown, multiselect), `asset` (lookups
to a user, an organization and a product record) and `service_contract` (lookups to a ticket and a user). Their
records scale with the tickets (one product per 200 tickets, an asset per 20, a contract per 50; at least 5 each),
created over the account's years, and their lookups point at records that exist (live users, organizations and
tickets of the account, products created before the asset). Shapes as Zendesk's reference has them: object and record
user ids are strings, record ids are ULID-like strings, lookup values are the target's id as a string.

A deleted record stays in the export for 30 days with `name` and every value "[DELETED]" (Zendesk's record export);
the lists leave it out. A deleted object takes its fields and records with it; an object a lookup points at is not
deleted (Zendesk refuses to delete a lookup's target).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import ids
from .rng import KIND_CATALOG, record_rng
from .textpool import sentence
from .timefmt import iso

if TYPE_CHECKING:
    from .dataset import Dataset

DELETED = "[DELETED]"
RETENTION = 30 * 86_400  # deleted records stay in the export this long
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# (key, title, plural, tickets per record, fields: (key, type, title, options or lookup target))
OBJECTS: tuple[tuple[str, str, str, int, tuple[tuple[str, str, str, Any], ...]], ...] = (
    ("product", "Product", "Products", 200, (
        ("sku", "text", "SKU", None), ("summary", "textarea", "Summary", None), ("discontinued", "checkbox", "Discontinued", None),
        ("launched_on", "date", "Launched on", None), ("stock", "integer", "Units in stock", None),
        ("price", "decimal", "Price", None), ("barcode", "regexp", "Barcode", None),
        ("category", "dropdown", "Category", ("hardware", "software", "accessory")),
        ("channels", "multiselect", "Sales channels", ("web", "retail", "partner")))),
    ("asset", "Asset", "Assets", 20, (
        ("serial_number", "text", "Serial number", None), ("purchased_on", "date", "Purchased on", None),
        ("owner", "lookup", "Owner", "zen:user"), ("organization", "lookup", "Organization", "zen:organization"),
        ("product", "lookup", "Product", "zen:custom_object:product"),
        ("status", "dropdown", "Status", ("in_use", "in_repair", "retired")))),
    ("service_contract", "Service contract", "Service contracts", 50, (
        ("last_ticket", "lookup", "Last ticket", "zen:ticket"), ("customer", "lookup", "Customer", "zen:user"),
        ("value", "decimal", "Annual value", None), ("renews_on", "date", "Renews on", None),
        ("auto_renew", "checkbox", "Auto-renew", None), ("services", "multiselect", "Services", ("support", "onsite", "training")))),
)
BARCODE = r"\A[0-9]{13}\z"


def ulid(ts: int, serial: int) -> str:
    """A ULID-like id: 10 characters of milliseconds, 16 of a serial (Crockford base32), sortable by creation."""
    def base32(n: int, width: int) -> str:
        return "".join(CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(width)))
    return base32(ts * 1000, 10) + base32(serial, 16)


@dataclass
class Objects:
    """The account's custom objects; each object dict holds its fields under `_fields` and records under `_records`."""

    objects: list[dict] = field(default_factory=list)
    serial: int = 0  # records and objects made so far (ids)
    field_serial: int = 0


def of(ds: Dataset) -> Objects:
    """The account's custom objects, built on first use."""
    built = getattr(ds, "_custom_objects", None)
    if built is None:
        built = _build(ds)
        ds._custom_objects = built  # type: ignore[attr-defined]
    return built


def live(ds: Dataset) -> list[dict]:
    return [o for o in of(ds).objects if not o.get("_deleted")]


def find(ds: Dataset, key: str) -> dict | None:
    return next((o for o in live(ds) if o["key"] == key), None)


def fields(obj: dict) -> list[dict]:
    return [f for f in obj["_fields"] if not f.get("_deleted")]


def _when(ds: Dataset, rng: random.Random, low: float, high: float) -> int:
    cat = ds.catalog
    return int(cat.start + (cat.end - cat.start) * (low + (high - low) * rng.random()))


def _owner(ds: Dataset) -> str:
    return str(ds.users.user_id(0))  # the account owner made the objects


def _object(ds: Dataset, state: Objects, key: str, title: str, plural: str, ts: int) -> dict:
    state.serial += 1
    return {"key": key, "id": ulid(ts, state.serial), "url": f"{ds.catalog.base}/custom_objects/{key}.json",
            "title": title, "raw_title": title, "title_pluralized": plural, "raw_title_pluralized": plural,
            "description": f"{plural} of our customers", "raw_description": f"{plural} of our customers",
            "include_in_list_view": True, "allows_photos": False, "allows_attachments": True,
            "created_by_user_id": _owner(ds), "updated_by_user_id": _owner(ds), "created_at": iso(ts),
            "updated_at": iso(ts), "_updated": ts, "_fields": [], "_records": []}


def _field(ds: Dataset, state: Objects, obj: dict, spec: tuple[str, str, str, Any], position: int, ts: int) -> dict:
    key, kind, title, extra = spec
    state.field_serial += 1
    fid = ids.CUSTOM_OBJECT_FIELD + state.field_serial
    options = [{"id": ids.CUSTOM_OBJECT_FIELD + 500_000_000 + state.field_serial * 10 + n, "name": value.replace("_", " ").title(),
                "raw_name": value.replace("_", " ").title(), "value": value, "position": n}
               for n, value in enumerate(extra)] if kind in ("dropdown", "multiselect") else None
    return {"id": fid, "url": f"{ds.catalog.base}/custom_objects/{obj['key']}/fields/{fid}.json", "key": key, "type": kind,
            "title": title, "raw_title": title, "description": "", "raw_description": "", "position": position,
            "active": True, "system": False, "required": False,
            "regexp_for_validation": BARCODE if kind == "regexp" else None,
            "tag": None, "custom_field_options": options,
            "relationship_target_type": extra if kind == "lookup" else None,
            "relationship_filter": {"all": [{"field": "role", "operator": "is", "value": "end-user"}], "any": []}
            if extra == "zen:user" else None,
            "created_at": iso(ts), "updated_at": iso(ts), "_updated": ts}


def _pick(rng: random.Random, pool: np.ndarray) -> int | None:
    return int(pool[int(rng.random() * len(pool))]) if len(pool) else None


def _value(ds: Dataset, rng: random.Random, obj_field: dict, ts: int) -> Any:
    kind = obj_field["type"]
    if rng.random() < 0.08:
        return None  # unset
    if kind == "text":
        return f"{obj_field['key'][:3].upper()}-{int(rng.random() * 1e6):06d}"
    if kind == "textarea":
        return f"{sentence(rng)}\n{sentence(rng)}"
    if kind == "checkbox":
        return rng.random() < 0.3
    if kind == "date":
        return str(iso(ts - int(rng.random() * 400 * 86_400)))[:10]
    if kind == "integer":
        return int(rng.random() * 500)
    if kind == "decimal":
        return round(10 + rng.random() * 5000, 2)
    if kind == "regexp":
        return "".join(str(int(rng.random() * 10)) for _ in range(13))
    values = [o["value"] for o in obj_field["custom_field_options"] or []]
    if kind == "dropdown":
        return values[int(rng.random() * len(values))]
    if kind == "multiselect":
        return sorted(rng.sample(values, 1 + int(rng.random() * len(values))))
    return _lookup(ds, rng, obj_field["relationship_target_type"], ts)


def _lookup(ds: Dataset, rng: random.Random, target: str, ts: int) -> str | None:
    """The id (as a string) of a record of `target` that exists at `ts`."""
    if target == "zen:user":
        users = ds.users.cols
        index = _pick(rng, np.flatnonzero((users.active == 1) & (users.created <= ts)))
        return None if index is None else str(ds.users.user_id(index))
    if target == "zen:organization":
        orgs = ds.orgs.cols
        index = _pick(rng, np.flatnonzero((orgs.deleted_at == 0) & (orgs.created <= ts)))
        return None if index is None else str(ids.ORGANIZATION + index + 1)
    if target == "zen:ticket":
        tickets = ds.tickets.cols
        index = _pick(rng, np.flatnonzero((tickets.deleted == 0) & (tickets.created <= ts)))
        return None if index is None else str(index + 1)
    key = target.rsplit(":", 1)[1]
    obj = find(ds, key)
    earlier = [r for r in (obj["_records"] if obj else []) if r["_created"] <= ts and not r.get("_deleted")]
    return earlier[int(rng.random() * len(earlier))]["id"] if earlier else None


def new_record(ds: Dataset, state: Objects, obj: dict, rng: random.Random, ts: int) -> dict:
    state.serial += 1
    rid = ulid(ts, state.serial)
    values = {f["key"]: _value(ds, rng, f, ts) for f in fields(obj)}
    record = {"id": rid, "custom_object_key": obj["key"], "url": f"{ds.catalog.base}/custom_objects/{obj['key']}/records/{rid}.json",
              "name": f"{obj['title']} {state.serial}", "external_id": f"ERP-{state.serial}" if rng.random() < 0.7 else None,
              "custom_object_fields": values, "created_by_user_id": _owner(ds), "updated_by_user_id": _owner(ds),
              "created_at": iso(ts), "updated_at": iso(ts), "_created": ts, "_updated": ts}
    obj["_records"].append(record)
    return record


def _build(ds: Dataset) -> Objects:
    state = Objects()
    ds._custom_objects = state  # type: ignore[attr-defined]  # lookups to products read it while assets are made
    tickets = len(ds.tickets)
    for n, (key, title, plural, per, specs) in enumerate(OBJECTS):
        rng = record_rng(ds.seed, KIND_CATALOG, 9_000 + n)
        created = _when(ds, rng, 0.0, 0.02)
        obj = _object(ds, state, key, title, plural, created)
        obj["_fields"] = [_field(ds, state, obj, spec, position, created) for position, spec in enumerate(specs)]
        state.objects.append(obj)
        times = sorted(_when(ds, rng, 0.03, 1.0) for _ in range(max(5, tickets // per)))
        for ts in times:
            record = new_record(ds, state, obj, rng, ts)
            if rng.random() < 0.3:  # edited since
                updated = min(ds.catalog.end, ts + int(rng.random() * 90 * 86_400))
                record.update(updated_at=iso(updated), _updated=updated)
    return state


def exported(obj: dict, now: float, exclude_deleted: bool = False) -> list[dict]:
    """The records the object's export holds: live ones, and deleted ones for 30 days after their deletion."""
    return [r for r in obj["_records"] if not r.get("_deleted")
            or (not exclude_deleted and r["_deleted"] >= now - RETENTION)]


def rendered(record: dict) -> dict:
    """A record as the API sends it; a deleted one with its name and values replaced."""
    out = {k: v for k, v in record.items() if k[0] != "_"}
    if record.get("_deleted"):
        out["name"] = DELETED
        out["custom_object_fields"] = dict.fromkeys(out["custom_object_fields"], DELETED)
    return out


# -- truth and mutations ----------------------------------------------------------------------------------------------
def truth_objects(ds: Dataset) -> list[dict]:
    return [{"key": o["key"], "updated_at": o["updated_at"]} for o in live(ds)]


def truth_fields(ds: Dataset) -> list[dict]:
    return [{"id": f["id"], "custom_object_key": o["key"], "updated_at": f["updated_at"]} for o in live(ds) for f in fields(o)]


def truth_records(ds: Dataset) -> list[dict]:
    now = ds.as_of
    return [{"id": r["id"], "custom_object_key": o["key"], "name": rendered(r)["name"], "updated_at": r["updated_at"]}
            for o in live(ds) for r in exported(o, now)]


def _touch(record: dict, ts: int) -> None:
    record.update(updated_at=iso(ts), _updated=ts)


def mutate_objects(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    """New objects (a text field, a dropdown and a lookup to organizations, and three records each), retitled ones,
    and deleted ones among those no lookup points at."""
    state = of(ds)
    created = []
    for _ in range(create):
        key = f"project_{state.serial + 1}"
        obj = _object(ds, state, key, "Project", "Projects", ts)
        specs = (("code", "text", "Code", None), ("phase", "dropdown", "Phase", ("plan", "build", "run")),
                 ("client", "lookup", "Client", "zen:organization"))
        obj["_fields"] = [_field(ds, state, obj, spec, position, ts) for position, spec in enumerate(specs)]
        state.objects.append(obj)
        for _ in range(3):
            new_record(ds, state, obj, rng, ts)
        created.append(key)
    older = [o for o in live(ds) if o["key"] not in created]
    updated = rng.sample(older, min(update, len(older)))
    for obj in updated:
        obj["description"] = obj["raw_description"] = f"{obj['title_pluralized']} (revised {str(iso(ts))[:10]})"
        _touch(obj, ts)
    targets = {f["relationship_target_type"] for o in live(ds) for f in fields(o) if f["type"] == "lookup"}
    free = [o for o in older if f"zen:custom_object:{o['key']}" not in targets and o not in updated]
    deleted = rng.sample(free, min(delete, len(free)))
    for obj in deleted:
        obj["_deleted"] = ts
    return {"created": created, "updated": sorted(o["key"] for o in updated), "deleted": sorted(o["key"] for o in deleted)}


def mutate_fields(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    """New text fields on random objects (existing records have no value for them), retitled fields, deleted ones
    (not lookups: records keep pointing through them)."""
    state, objects = of(ds), live(ds)
    created = []
    for _ in range(create):
        obj = objects[int(rng.random() * len(objects))]
        spec = (f"note_{state.field_serial + 1}", "text", "Note", None)
        obj["_fields"].append(_field(ds, state, obj, spec, len(fields(obj)), ts))
        created.append(obj["_fields"][-1]["id"])
    every = [f for o in objects for f in fields(o) if f["id"] not in created]
    updated = rng.sample(every, min(update, len(every)))
    for obj_field in updated:
        obj_field["title"] = obj_field["raw_title"] = f"{obj_field['title'].split(' (')[0]} (v{ts % 1000})"
        _touch(obj_field, ts)
    plain = [f for f in every if f["type"] != "lookup" and f not in updated]
    deleted = rng.sample(plain, min(delete, len(plain)))
    for obj_field in deleted:
        obj_field["_deleted"] = ts
    return {"created": created, "updated": sorted(f["id"] for f in updated), "deleted": sorted(f["id"] for f in deleted)}


def mutate_records(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    """New records on random objects, records with new values, deleted records (in the export as "[DELETED]")."""
    state, objects = of(ds), live(ds)
    created = [new_record(ds, state, objects[int(rng.random() * len(objects))], rng, ts)["id"] for _ in range(create)]
    every = [r for o in objects for r in o["_records"] if not r.get("_deleted") and r["id"] not in created]
    chosen = rng.sample(every, min(update + delete, len(every)))
    for record in chosen[:update]:
        obj = find(ds, record["custom_object_key"])
        assert obj is not None
        record["custom_object_fields"] = {f["key"]: _value(ds, rng, f, ts) for f in fields(obj)}
        record["name"] = f"{record['name'].split(' (')[0]} (v{ts % 1000})"
        _touch(record, ts)
    for record in chosen[update:]:
        record["_deleted"] = ts
        _touch(record, ts)
    return {"created": created, "updated": sorted(r["id"] for r in chosen[:update]),
            "deleted": sorted(r["id"] for r in chosen[update:])}
