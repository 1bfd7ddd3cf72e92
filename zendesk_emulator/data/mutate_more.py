"""Mutations of the configuration lists added with the rest of the catalog, and of the resources derived from the
columns, as far as Zendesk's API allows each:

- automations, triggers, views, custom_roles, schedules, sla_policies, account_attributes (routing attributes):
  create, update (a changed title or description, sometimes `active`), delete (gone from the list).
- brands, ticket_forms: the same, but a deleted one stays in the catalog flagged (tickets point at it) and the
  default one is never deleted.
- custom_statuses: create and update only (Zendesk deactivates statuses, it has no delete); defaults keep `active`.
- audit_logs: create (sign-ins); ticket_skips: create. Both are append-only.
Every change moves the record's updated_at to the mutation's time.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from . import agent_work, audit_log, catalog_rules, ids
from . import views as views_data
from .catalog_rules import stable_uuid, touch
from .dataset import Dataset

Handler = Callable[[Dataset, random.Random, int, int, int, int], dict]


def _new_id(records: list[dict], floor: int) -> int:
    return max([r["id"] for r in records if isinstance(r["id"], int)] + [floor]) + 1


def _edit(records: list[dict], rng: random.Random, ts: int, update: int, delete: int, created: list,
          keep: Callable[[dict], bool] = lambda r: False, flag: bool = False, retitle: str = "title") -> dict:
    """Update `update` and delete `delete` records chosen at random (never those just created or `keep` ones)."""
    candidates = [r for r in records if r["id"] not in created and not r.get("_deleted")]
    updated = rng.sample(candidates, min(len(candidates), update))
    deletable = [r for r in candidates if r not in updated and not keep(r)]
    deleted = rng.sample(deletable, min(len(deletable), delete))
    for record in updated:
        if retitle in record:
            base = str(record[retitle]).split(" (v")[0]
            record[retitle] = f"{base} (v{ts % 1000})"
            if f"raw_{retitle}" in record:
                record[f"raw_{retitle}"] = record[retitle]
        if "active" in record and not record.get("default") and rng.random() < 0.3:
            record["active"] = not record["active"]
        touch(record, ts)
    gone = {r["id"] for r in deleted}
    for record in deleted:
        touch(record, ts)
        if flag:
            record["_deleted"] = True
            if "is_deleted" in record:
                record["is_deleted"] = True
    if not flag:
        records[:] = [r for r in records if r["id"] not in gone]
    return {"created": created, "updated": sorted(r["id"] for r in updated), "deleted": sorted(gone)}


def _builder(attr: str, build: Callable, floor: int, retitle: str = "title",
             keep: Callable[[dict], bool] = lambda r: bool(r.get("default"))) -> Handler:
    def handler(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        records = getattr(ds.catalog, attr)
        created = []
        for _ in range(create):
            record = ds.catalog._stamp(build(ds.catalog, rng, len(records), _new_id(records, floor)), ts, ts)
            if "position" in record:
                record["position"] = max(r["position"] for r in records) + 1 if records else 1
            records.append(record)
            created.append(record["id"])
        return _edit(records, rng, ts, update, delete, created, keep, retitle=retitle)
    return handler


def _flagged(attr: str, make: Callable[[Dataset, int, int], dict], retitle: str) -> Handler:
    """Brands and ticket forms: deleted ones stay in the list (flagged), the default one is never deleted."""
    def handler(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        records = getattr(ds.catalog, attr)
        created = []
        for _ in range(create):
            record = make(ds, _new_id(records, records[0]["id"] - 1), len(records))
            ds.catalog._stamp(record, ts, ts)
            records.append(record)
            created.append(record["id"])
        summary = _edit(records, rng, ts, update, delete, created, lambda r: r["default"], flag=True, retitle=retitle)
        ds.tickets.refresh_fields()
        return summary
    return handler


def _brand(ds: Dataset, bid: int, n: int) -> dict:
    cat = ds.catalog
    sub = f"{cat.subdomain}-{n + 1}"
    name = f"{cat.subdomain.capitalize()} Brand {n + 1}"
    return {"id": bid, "url": f"{cat.base}/brands/{bid}.json", "name": name, "brand_url": f"https://{sub}.zendesk.com",
            "subdomain": sub, "host_mapping": None, "has_help_center": False, "help_center_state": "disabled",
            "active": True, "default": False, "is_deleted": False, "logo": None, "ticket_form_ids": [],
            "signature_template": "{{agent.signature}}"}


def _form(ds: Dataset, fid: int, n: int) -> dict:
    cat = ds.catalog
    name = f"Request form {n + 1}"
    field_ids = [f["id"] for f in cat.ticket_fields]
    return {"id": fid, "url": f"{cat.base}/ticket_forms/{fid}.json", "name": name, "raw_name": name,
            "display_name": name, "raw_display_name": name, "end_user_visible": True, "position": n,
            "ticket_field_ids": field_ids[:7], "active": True, "default": False, "in_all_brands": True,
            "restricted_brand_ids": [], "end_user_conditions": [], "agent_conditions": []}


def _statuses(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    if delete:
        raise ValueError("custom statuses cannot be deleted (Zendesk deactivates them): use create or update")
    records = ds.catalog.custom_statuses
    created = []
    for _ in range(create):
        record = catalog_rules.custom_status(ds.catalog, 6 + len(records) % 3, _new_id(records, ids.CUSTOM_STATUS))
        record["agent_label"] = record["raw_agent_label"] = f"Custom status {len(records) + 1}"
        ds.catalog._stamp(record, ts, ts)
        records.append(record)
        created.append(record["id"])
    return _edit(records, rng, ts, update, 0, created, retitle="agent_label")


def _attributes(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    records = ds.catalog.routing_attributes
    created: list[str] = []
    for _ in range(create):
        aid = stable_uuid(ds.seed, "attribute_created", len(records) + len(created))
        records.append(ds.catalog._stamp({"id": aid, "name": f"Skill {len(records) + 1}",
                                          "url": f"{ds.catalog.base}/routing/attributes/{aid}.json"}, ts, ts))
        created.append(aid)
    summary = _edit(records, rng, ts, update, delete, created, retitle="name")
    alive = {r["id"] for r in records}
    ds.catalog.routing_values[:] = [v for v in ds.catalog.routing_values if v["attribute_id"] in alive]
    return summary


def _append_only(what: str, add: Callable[[Dataset, random.Random, int, int], list]) -> Handler:
    def handler(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        if update or delete:
            raise ValueError(f"{what} are append-only: use create")
        return {"created": add(ds, rng, ts, create), "updated": [], "deleted": []}
    return handler


automations = _builder("automations", lambda c, r, i, n: catalog_rules.automation(c, r, i, n), ids.CATALOG_CREATED)
triggers = _builder("triggers", lambda c, r, i, n: catalog_rules.trigger(c, r, i, n), ids.CATALOG_CREATED + 100_000_000)
views = _builder("views", lambda c, r, i, n: views_data.view(c, r, i, n), ids.VIEW)
custom_roles = _builder("custom_roles", lambda c, r, i, n: catalog_rules.custom_role(c, r, i, n), ids.CUSTOM_ROLE,
                        retitle="description")
# The first schedule is the account's default (catalog_rules): Zendesk keeps a default schedule.
schedules = _builder("schedules", lambda c, r, i, n: catalog_rules.schedule(c, r, i, n), ids.SCHEDULE, retitle="name",
                     keep=lambda r: r["id"] == ids.SCHEDULE + 1)
sla_policies = _builder("sla_policies", lambda c, r, i, n: {**c._sla_policies()[i % 2], "id": n, "title": f"Policy {i + 1}",
                                                           "url": f"{c.base}/slas/policies/{n}.json"}, ids.SLA)
account_attributes = _attributes
brands = _flagged("brands", _brand, "name")
ticket_forms = _flagged("ticket_forms", _form, "name")
custom_statuses = _statuses
audit_logs = _append_only("audit logs", audit_log.sign_ins)
ticket_skips = _append_only("ticket skips", agent_work.add_skips)
