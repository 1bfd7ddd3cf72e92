"""Mutations of the configuration-like resources held whole in the catalog: groups, group memberships and macros
here, the three custom field lists in custom_fields.py, the rest of the catalog and the derived resources in
mutate_more.py. Deleted memberships and macros disappear; deleted groups stay, flagged `deleted`, and take their
memberships with them. Every change is logged in the audit log as the account owner's."""

from __future__ import annotations

import random

from . import audit_log, custom_fields, ids, mutate_more
from .dataset import Dataset
from .timefmt import iso


class CatalogMutations:
    def __init__(self, ds: Dataset):
        self.ds = ds

    def mutate(self, resource: str, rng: random.Random, ts: int, create: int, update: int, delete: int,
               deactivate: int = 0) -> dict:
        handler = {"groups": self._groups, "group_memberships": self._memberships, "macros": self._macros}.get(resource)
        labels = mutate_more.labels_of(self.ds, resource)
        if resource in custom_fields.HANDLERS:
            summary = custom_fields.HANDLERS[resource](self.ds, rng, ts, create, update, delete, deactivate)
        elif handler is None:
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
