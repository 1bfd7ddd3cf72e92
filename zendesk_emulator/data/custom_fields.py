"""Custom user and organization fields (their definitions and the values users and organizations hold), and the
mutations of all three custom field lists: ticket fields, user fields, organization fields.

Every type Zendesk offers for each list: user and organization fields have text, textarea, regexp, integer, decimal,
checkbox, date, dropdown, multiselect and lookup (Zendesk has no partialcreditcard for them; the ticket fields,
catalog.CUSTOM_TYPES, have it and call a dropdown `tagger`). A few values are legacy data that no longer fits the
field's type, as long-lived accounts hold ("~40" in an integer field, a date written 31/01/2025): a client typing
the values has to cope with them.

Mutations: `create` adds a text field, `update` renames one (a new title; its id and key never change, as in
Zendesk), `deactivate` turns one off (`active: false`: it stays in the list and leaves the records' values),
`delete` removes one. Records follow at once (`ds.schema` moves), without moving their `updated_at`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import ids
from .catalog_rules import touch

if TYPE_CHECKING:
    from .dataset import Dataset

# (key, type, title, options): the generated fields of each list, in position order.
USER_FIELDS = (
    ("plan", "dropdown", "Plan", ("Starter", "Growth", "Enterprise")),
    ("employee_count", "integer", "Employee count", ()),
    ("vip", "checkbox", "VIP", ()),
    ("renewal_date", "date", "Renewal date", ()),
    ("nickname", "text", "Nickname", ()),
    ("support_notes", "textarea", "Support notes", ()),
    ("customer_code", "regexp", "Customer code", ()),
    ("lifetime_value", "decimal", "Lifetime value", ()),
    ("interests", "multiselect", "Interests", ("Webinars", "Newsletter", "Beta program", "Events")),
    ("account_manager", "lookup", "Account manager", ()),
)
ORGANIZATION_FIELDS = (
    ("region", "dropdown", "Region", ("AMER", "EMEA", "APAC")),
    ("seats", "integer", "Seats", ()),
    ("partner", "checkbox", "Partner", ()),
    ("contract_end", "date", "Contract end", ()),
    ("website", "text", "Website", ()),
    ("profile", "textarea", "Profile", ()),
    ("billing_code", "regexp", "Billing code", ()),
    ("annual_revenue", "decimal", "Annual revenue", ()),
    ("products", "multiselect", "Products", ("Support", "Guide", "Chat", "Talk")),
    ("success_manager", "lookup", "Success manager", ()),
)
STAFF = 10  # users 0..9 are always agents or admins (columns.users): what a lookup to a user points at
LEGACY = 0.03  # the share of integer, decimal and date values that are legacy data of another shape
_NOTES = ("Prefers email.", "Call before noon, not on Fridays.", "Escalate billing questions to the account manager.",
          "Uses the API heavily.\nAsk for request ids.")


def definitions(base: str, path: str, first_id: int, fields: tuple) -> list[dict]:
    """The list's fields in Zendesk's shape (without timestamps: the catalog stamps them)."""
    out = []
    for i, (key, kind, title, options) in enumerate(fields):
        fid = first_id + i + 1
        record = {"id": fid, "url": f"{base}/{path}/{fid}.json", "key": key, "type": kind, "title": title,
                  "raw_title": title, "description": f"{title} field", "raw_description": f"{title} field",
                  "position": i, "active": True, "system": False, "regexp_for_validation": None}
        if kind == "regexp":
            record["regexp_for_validation"] = f"^{key[:4].upper()}-[0-9]{{5}}$"
        if kind == "lookup":
            record["relationship_target_type"], record["relationship_filter"] = "zen:user", {}
        if options:
            record["custom_field_options"] = [
                {"id": first_id + 1000 + i * 10 + j, "name": name, "raw_name": name,
                 "value": name.lower().replace(" ", "_"), "position": j, "default": False}
                for j, name in enumerate(options)]
        out.append(record)
    return out


def value(rng: random.Random, field: dict):
    """A user's or organization's value for `field`, drawn from the record's own random stream."""
    kind = field["type"]
    if rng.random() < 0.3:
        return False if kind == "checkbox" else None
    if kind == "dropdown":
        options = field["custom_field_options"]
        return options[int(rng.random() * len(options))]["value"]
    if kind == "integer":
        number = 1 + int(rng.random() * 5000)
        return f"~{number}" if rng.random() < LEGACY else number
    if kind == "checkbox":
        return rng.random() < 0.2
    if kind == "date":
        year, month, day = 24 + int(rng.random() * 4), 1 + int(rng.random() * 12), 1 + int(rng.random() * 28)
        return f"{day:02d}/{month:02d}/20{year}" if rng.random() < LEGACY else f"20{year}-{month:02d}-{day:02d}"
    if kind == "decimal":
        amount = round(rng.random() * 250_000, 2)
        return f"{amount:,.2f}".replace(",", " ") if rng.random() < LEGACY else amount
    if kind == "multiselect":
        options = field["custom_field_options"]
        chosen = [o["value"] for o in options if rng.random() < 0.35]
        return chosen or [options[0]["value"]]
    if kind == "lookup":
        return ids.USER + 1 + int(rng.random() * STAFF)
    if kind == "regexp":
        return f"{field['key'][:4].upper()}-{int(rng.random() * 100_000):05d}"
    if kind == "textarea":
        return _NOTES[int(rng.random() * len(_NOTES))]
    if kind == "text":
        return f"{field['title'].split()[0]} {int(rng.random() * 10_000)}"
    return None


# -- mutations ---------------------------------------------------------------------------------------------------
Handler = Callable[["Dataset", random.Random, int, int, int, int, int], dict]


def _renamed(field: dict, ts: int) -> None:
    title = f"{field['title'].split(' (v')[0]} (v{ts % 1000})"
    for name in ("title", "raw_title", "title_in_portal", "raw_title_in_portal"):
        if name in field:
            field[name] = title
    touch(field, ts)


def _deactivated(records: list[dict], rng: random.Random, ts: int, n: int, spared: list[dict]) -> list[dict]:
    candidates = [f for f in records if f["active"] and f not in spared]
    chosen = sorted(rng.sample(candidates, min(n, len(candidates))), key=lambda f: f["id"]) if n else []
    for field in chosen:
        field["active"] = False
        touch(field, ts)
    return chosen


def ticket_fields(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int,
                  deactivate: int) -> dict:
    """New, deleted and deactivated fields change every ticket's custom_fields (not its updated_at, as in Zendesk): a
    new field is there, empty, on the tickets created before it. Fields that back the tags (dropdowns, multiselects,
    checkboxes: catalog.COLUMN_BACKED) are never deleted or deactivated: their tags would have to leave the tickets."""
    cat = ds.catalog
    created = []
    for _ in range(create):
        record = cat._field(rng, len(cat.ticket_fields), "text", f"Reference {len(cat.ticket_fields) + 1}",
                            max(f["position"] for f in cat.ticket_fields) + 1)
        record["id"] = max(f["id"] for f in cat.ticket_fields) + 1
        record["url"] = f"{cat.base}/ticket_fields/{record['id']}.json"
        record["_added"] = ts  # existing tickets have no value for it (Tickets.custom_values)
        cat.ticket_fields.append(cat._stamp(record, ts, ts))
        created.append(record["id"])
    editable = [f for f in cat.ticket_fields if f["removable"] and f["id"] not in created]
    renamed = sorted(rng.sample(editable, min(len(editable), update)), key=lambda f: f["id"])
    removable = [f for f in editable if "_column" not in f and f not in renamed]
    deleted = sorted(rng.sample(removable, min(delete, len(removable))), key=lambda f: f["id"])
    for field in renamed:
        _renamed(field, ts)
    off = _deactivated([f for f in removable if f not in deleted], rng, ts, deactivate, [])
    gone = {f["id"] for f in deleted}
    cat.ticket_fields[:] = [f for f in cat.ticket_fields if f["id"] not in gone]
    for form in cat.ticket_forms:
        if gone & set(form["ticket_field_ids"]):
            form["ticket_field_ids"] = [i for i in form["ticket_field_ids"] if i not in gone]
            touch(form, ts)
    if created or gone or off:
        ds.schema += 1
        ds.tickets.refresh_fields()
    return {"created": created, "updated": [f["id"] for f in renamed], "deleted": sorted(gone),
            "deactivated": [f["id"] for f in off]}


def _person_fields(attr: str, first_id: int) -> Handler:
    def handler(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int,
                deactivate: int) -> dict:
        records = getattr(ds.catalog, attr)
        created = []
        for _ in range(create):
            fid = max([r["id"] for r in records] + [first_id]) + 1
            key = f"custom_{fid - first_id}"
            record = definitions(ds.catalog.base, attr, fid - 1, ((key, "text", key.replace("_", " ").capitalize(), ()),))[0]
            record["position"] = max((r["position"] for r in records), default=-1) + 1
            records.append(ds.catalog._stamp(record, ts, ts))
            created.append(fid)
        candidates = [r for r in records if r["id"] not in created]
        renamed = sorted(rng.sample(candidates, min(len(candidates), update)), key=lambda f: f["id"])
        deletable = [r for r in candidates if r not in renamed]
        deleted = sorted(rng.sample(deletable, min(len(deletable), delete)), key=lambda f: f["id"])
        for field in renamed:
            _renamed(field, ts)
        off = _deactivated(candidates, rng, ts, deactivate, renamed + deleted)
        gone = {r["id"] for r in deleted}
        records[:] = [r for r in records if r["id"] not in gone]
        ds.schema += 1  # every user's (organization's) `*_fields` object follows the field list
        return {"created": created, "updated": [f["id"] for f in renamed], "deleted": sorted(gone),
                "deactivated": [f["id"] for f in off]}
    return handler


user_fields = _person_fields("user_fields", ids.USER_FIELD)
organization_fields = _person_fields("organization_fields", ids.ORG_FIELD)
