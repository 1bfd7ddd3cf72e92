"""Mutations of groups, group memberships and macros, held whole in the catalog (the three custom field lists:
custom_fields.py; the rest of the catalog and the derived resources: mutate_more.py). Deleted memberships and
macros disappear; deleted groups stay, flagged `deleted`, and take their memberships with them. Every change is
logged in the audit log as the account owner's."""

from __future__ import annotations

import random

from . import ids
from .dataset import Dataset
from .timefmt import iso


def _touch(record: dict, ts: int) -> None:
    record["updated_at"], record["_updated"] = iso(ts), ts

def _new(record: dict, ts: int) -> dict:
    record.update(created_at=iso(ts), updated_at=iso(ts), _created=ts, _updated=ts)
    return record

def _split(rng: random.Random, candidates: list[dict], update: int, delete: int) -> tuple[list[dict], list[dict]]:
    chosen = rng.sample(candidates, min(len(candidates), update + delete))
    return sorted(chosen[:update], key=lambda r: r["id"]), sorted(chosen[update:], key=lambda r: r["id"])

def groups(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    cat = ds.catalog
    created = []
    for _ in range(create):
        gid = ids.GROUP + len(cat.groups) + 1
        cat.groups.append(_new({"id": gid, "url": f"{cat.base}/groups/{gid}.json", "name": f"New team {gid - ids.GROUP}",
                                     "description": "Created through the API", "default": False, "deleted": False,
                                     "is_public": True}, ts))
        created.append(gid)
    live = [g for g in cat.groups if not g["deleted"] and not g["default"] and g["id"] not in created]
    updated, deleted = _split(rng, live, update, delete)
    for group in updated:
        group["description"] = f"Queue updated {iso(ts)}"
        _touch(group, ts)
    gone = {g["id"] for g in deleted}
    for group in deleted:
        group["deleted"] = True
        _touch(group, ts)
    cat.memberships[:] = [m for m in cat.memberships if m["group_id"] not in gone]
    ds.tickets.refresh_fields()
    return {"created": created, "updated": [g["id"] for g in updated], "deleted": sorted(gone)}

def memberships(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    cat = ds.catalog
    taken = {(m["user_id"], m["group_id"]) for m in cat.memberships}
    live = [g["id"] for g in cat.groups if not g["deleted"]]
    agents = ds.users.cols.agents
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
        cat.memberships.append(_new({"id": mid, "url": f"{cat.base}/group_memberships/{mid}.json",
                                          "user_id": pair[0], "group_id": pair[1], "default": False}, ts))
        created.append(mid)
    updated, deleted = _split(rng, [m for m in cat.memberships if m["id"] not in created], update, delete)
    for membership in updated:
        membership["default"] = not membership["default"]
        _touch(membership, ts)
    gone = {m["id"] for m in deleted}
    cat.memberships[:] = [m for m in cat.memberships if m["id"] not in gone]
    return {"created": created, "updated": [m["id"] for m in updated], "deleted": sorted(gone)}

def macros(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    cat = ds.catalog
    created = []
    for _ in range(create):
        macro = cat._macro(rng, len(cat.macros))
        macro["id"] = max((m["id"] for m in cat.macros), default=ids.MACRO) + 1
        macro["url"] = f"{cat.base}/macros/{macro['id']}.json"
        cat.macros.append(_new(macro, ts))
        created.append(macro["id"])
    updated, deleted = _split(rng, [m for m in cat.macros if m["id"] not in created], update, delete)
    for macro in updated:
        macro["active"] = not macro["active"] if rng.random() < 0.3 else macro["active"]
        macro["title"] = macro["raw_title"] = macro["title"].split(" (v")[0] + f" (v{ts % 1000})"
        _touch(macro, ts)
    gone = {m["id"] for m in deleted}
    cat.macros[:] = [m for m in cat.macros if m["id"] not in gone]
    return {"created": created, "updated": [m["id"] for m in updated], "deleted": sorted(gone)}
