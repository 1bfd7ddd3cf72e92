"""Mutations of the configuration-like resources held whole in the catalog: groups, group memberships, macros and
ticket fields here, the rest of the catalog and the derived resources in mutate_more.py. Deleted memberships,
macros and ticket fields disappear; deleted groups stay, flagged `deleted`, and take their memberships with them; a
deleted ticket field leaves the ticket forms that held it. Every change is logged in the audit log as the account
owner's."""

from __future__ import annotations

import random

from . import audit_log, ids, mutate_more
from .dataset import Dataset
from .timefmt import iso


class CatalogMutations:
    def __init__(self, ds: Dataset):
        self.ds = ds

    def mutate(self, resource: str, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        handler = {"groups": self._groups, "group_memberships": self._memberships, "macros": self._macros,
                   "ticket_fields": self._fields}.get(resource)
        labels = mutate_more.labels_of(self.ds, resource)
        if handler is None:
            summary = mutate_more.HANDLERS[resource](self.ds, rng, ts, create, update, delete)  # KeyError when unknown
        else:
            summary = handler(rng, ts, create, update, delete)
        labels.update(mutate_more.labels_of(self.ds, resource))
        audit_log.record_mutation(self.ds, resource, summary, ts, labels)
        return summary

    @staticmethod
    def _touch(record: dict, ts: int) -> None:
        record["updated_at"], record["_updated"] = iso(ts), ts

    @staticmethod
    def _new(record: dict, ts: int) -> dict:
        record.update(created_at=iso(ts), updated_at=iso(ts), _created=ts, _updated=ts)
        return record

    def _split(self, rng: random.Random, candidates: list[dict], update: int, delete: int) -> tuple[list[dict], list[dict]]:
        chosen = rng.sample(candidates, min(len(candidates), update + delete))
        return sorted(chosen[:update], key=lambda r: r["id"]), sorted(chosen[update:], key=lambda r: r["id"])

    def _groups(self, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        cat = self.ds.catalog
        created = []
        for _ in range(create):
            gid = ids.GROUP + len(cat.groups) + 1
            cat.groups.append(self._new({"id": gid, "url": f"{cat.base}/groups/{gid}.json", "name": f"New team {gid - ids.GROUP}",
                                         "description": "Created through the API", "default": False, "deleted": False,
                                         "is_public": True}, ts))
            created.append(gid)
        live = [g for g in cat.groups if not g["deleted"] and not g["default"] and g["id"] not in created]
        updated, deleted = self._split(rng, live, update, delete)
        for group in updated:
            group["description"] = f"Queue updated {iso(ts)}"
            self._touch(group, ts)
        gone = {g["id"] for g in deleted}
        for group in deleted:
            group["deleted"] = True
            self._touch(group, ts)
        cat.memberships[:] = [m for m in cat.memberships if m["group_id"] not in gone]
        self.ds.tickets.refresh_fields()
        return {"created": created, "updated": [g["id"] for g in updated], "deleted": sorted(gone)}

    def _memberships(self, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        cat = self.ds.catalog
        taken = {(m["user_id"], m["group_id"]) for m in cat.memberships}
        live = [g["id"] for g in cat.groups if not g["deleted"]]
        agents = self.ds.users.cols.agents
        created = []
        for _ in range(create):
            for _attempt in range(50):
                pair = (ids.USER + 1 + int(rng.random() * agents), live[int(rng.random() * len(live))])
                if pair not in taken:
                    break
            else:
                break
            taken.add(pair)
            mid = max((m["id"] for m in cat.memberships), default=ids.MEMBERSHIP) + 1
            cat.memberships.append(self._new({"id": mid, "url": f"{cat.base}/group_memberships/{mid}.json",
                                              "user_id": pair[0], "group_id": pair[1], "default": False}, ts))
            created.append(mid)
        updated, deleted = self._split(rng, [m for m in cat.memberships if m["id"] not in created], update, delete)
        for membership in updated:
            membership["default"] = not membership["default"]
            self._touch(membership, ts)
        gone = {m["id"] for m in deleted}
        cat.memberships[:] = [m for m in cat.memberships if m["id"] not in gone]
        return {"created": created, "updated": [m["id"] for m in updated], "deleted": sorted(gone)}

    def _macros(self, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        cat = self.ds.catalog
        created = []
        for _ in range(create):
            macro = cat._macro(rng, len(cat.macros))
            macro["id"] = max((m["id"] for m in cat.macros), default=ids.MACRO) + 1
            macro["url"] = f"{cat.base}/macros/{macro['id']}.json"
            cat.macros.append(self._new(macro, ts))
            created.append(macro["id"])
        updated, deleted = self._split(rng, [m for m in cat.macros if m["id"] not in created], update, delete)
        for macro in updated:
            macro["active"] = not macro["active"] if rng.random() < 0.3 else macro["active"]
            macro["title"] = macro["raw_title"] = macro["title"].split(" (v")[0] + f" (v{ts % 1000})"
            self._touch(macro, ts)
        gone = {m["id"] for m in deleted}
        cat.macros[:] = [m for m in cat.macros if m["id"] not in gone]
        return {"created": created, "updated": [m["id"] for m in updated], "deleted": sorted(gone)}

    def _fields(self, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
        """New and deleted custom fields change every ticket's custom_fields (not its updated_at, as in Zendesk): a new
        field is there, empty, on the tickets created before it."""
        cat = self.ds.catalog
        created = []
        for _ in range(create):
            record = cat._field(rng, len(cat.ticket_fields), "text", f"Reference {len(cat.ticket_fields) + 1}",
                                max(f["position"] for f in cat.ticket_fields) + 1)
            record["id"] = max(f["id"] for f in cat.ticket_fields) + 1
            record["url"] = f"{cat.base}/ticket_fields/{record['id']}.json"
            record["_added"] = ts  # existing tickets have no value for it (Tickets.custom_values)
            cat.ticket_fields.append(self._new(record, ts))
            created.append(record["id"])
        editable = [f for f in cat.ticket_fields if f["removable"] and f["id"] not in created]
        updated, deleted = self._split(rng, editable, update, 0)[0], []
        removable = [f for f in editable if "_column" not in f and f not in updated]
        deleted = sorted(rng.sample(removable, min(delete, len(removable))), key=lambda f: f["id"])
        for field in updated:
            field["description"] = field["raw_description"] = f"{field['title']} (revised {iso(ts)})"
            self._touch(field, ts)
        gone = {f["id"] for f in deleted}
        cat.ticket_fields[:] = [f for f in cat.ticket_fields if f["id"] not in gone]
        for form in cat.ticket_forms:
            if gone & set(form["ticket_field_ids"]):
                form["ticket_field_ids"] = [i for i in form["ticket_field_ids"] if i not in gone]
                self._touch(form, ts)
        if created or gone:
            self.ds.schema += 1
            self.ds.tickets.refresh_fields()
        return {"created": created, "updated": [f["id"] for f in updated], "deleted": sorted(gone)}
