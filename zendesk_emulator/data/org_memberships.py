"""Organization memberships, derived from the user columns so they always agree with users' `organization_id`.

Every user with an organization has its default membership (id ORG_MEMBERSHIP + 2 * index + 1, created when both
the user and the organization existed); about one in sixteen also belongs to a second organization that existed
when they joined (id ... + 2, not default). Memberships of inactive (deleted) users and deleted organizations are
gone, as Zendesk removes them. Mutations: `create` adds a second membership, `update` makes a non-default
membership the default (Zendesk's make_default: the user's `organization_id` follows and the user is updated),
`delete` removes a non-default membership.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from . import ids
from .dataset import Dataset
from .derive import state, unit, unit1
from .timefmt import iso

EXTRA_SHARE = 0.06
CREATED_BASE = ids.ORG_MEMBERSHIP + 900_000_000  # memberships made by mutations


@dataclass
class Changes:
    created: list[tuple[int, int, int]] = field(default_factory=list)  # (user index, org index, ts)
    updated: dict[int, int] = field(default_factory=dict)  # id -> updated ts
    default_of: dict[int, int] = field(default_factory=dict)  # user index -> id of the membership made default
    deleted: set[int] = field(default_factory=set)


@dataclass
class Table:
    """Every live membership, in id order."""
    id: np.ndarray
    user: np.ndarray
    org: np.ndarray
    default: np.ndarray
    created: np.ndarray
    updated: np.ndarray

    def row(self, membership_id: int) -> int | None:
        position = int(np.searchsorted(self.id, membership_id))
        return position if position < len(self.id) and self.id[position] == membership_id else None


def changes(ds: Dataset) -> Changes:
    return state(ds, "organization_memberships", Changes)


def table(ds: Dataset) -> Table:
    return ds.cached("#org_memberships", lambda: _build(ds))


def _build(ds: Dataset) -> Table:
    users, orgs = ds.users.cols, ds.orgs.cols
    n = len(users.created)
    index = np.arange(n)
    org = users.org.astype(np.int64)
    has = org >= 0
    existing = np.searchsorted(orgs.created, users.created, "right")
    second = np.minimum((unit(ds.seed, 82, index) * existing).astype(np.int64), np.maximum(existing - 1, 0))
    second = np.where(second == org, (second + 1) % np.maximum(existing, 1), second)
    extra = has & (existing >= 2) & (unit(ds.seed, 81, index) < EXTRA_SHARE) & (second != org)
    # When a user joined its second organization: a fixed point of the user's life up to the generated account's
    # end, not of its `updated_at`, which mutations move (a membership must not change unless it is changed).
    span = np.maximum(ds.catalog.end - users.created, 0) // 2
    extra_created = users.created + (unit(ds.seed, 83, index) * span).astype(np.int64)
    default_created = np.maximum(users.created, orgs.created[np.maximum(org, 0)])
    # Interleave: row 2i is user i's default membership, row 2i + 1 its second one.
    ids_ = ids.ORG_MEMBERSHIP + 1 + np.arange(2 * n, dtype=np.int64)
    user = np.repeat(index, 2)
    member_of = np.stack([org, second], axis=1).ravel()
    keep = np.stack([has, extra], axis=1).ravel()
    default = np.tile([True, False], n)
    created = np.stack([default_created, extra_created], axis=1).ravel()
    ch = changes(ds)
    for k, (u, o, ts) in enumerate(ch.created):
        ids_ = np.append(ids_, CREATED_BASE + k + 1)
        user, member_of = np.append(user, u), np.append(member_of, o)
        keep, default, created = np.append(keep, True), np.append(default, False), np.append(created, ts)
    updated = created.copy()
    for membership_id, ts in ch.updated.items():
        position = int(np.searchsorted(ids_, membership_id))
        if position < len(ids_) and ids_[position] == membership_id:
            updated[position] = ts
    for user_index, membership_id in ch.default_of.items():
        default[user == user_index] = False
        default[ids_ == membership_id] = True
    keep &= users.active[np.minimum(user, n - 1)] == 1
    keep &= orgs.deleted_at[np.maximum(member_of, 0)] == 0
    if ch.deleted:
        keep &= ~np.isin(ids_, list(ch.deleted))
    return Table(ids_[keep], user[keep], member_of[keep], default[keep], created[keep], updated[keep])


def record(ds: Dataset, t: Table, row: int) -> dict:
    mid, org = int(t.id[row]), int(t.org[row])
    return {"url": f"{ds.users.base}/organization_memberships/{mid}.json", "id": mid,
            "user_id": ids.USER + int(t.user[row]) + 1, "organization_id": ids.ORGANIZATION + org + 1,
            "default": bool(t.default[row]), "organization_name": ds.orgs.name(org),
            "view_tickets": unit1(ds.seed, 84, mid) < 0.2,
            "created_at": iso(int(t.created[row])), "updated_at": iso(int(t.updated[row]))}


def mutate(ds: Dataset, rng: random.Random, ts: int, create: int, update: int, delete: int) -> dict:
    ch, t = changes(ds), table(ds)
    users, orgs = ds.users.cols, ds.orgs.cols
    created: list[int] = []
    taken = set(zip(t.user.tolist(), t.org.tolist(), strict=True))
    members = np.flatnonzero((users.active == 1) & (users.org >= 0))
    live_orgs = np.flatnonzero(orgs.deleted_at == 0)
    for _ in range(create):
        for _attempt in range(50):
            pair = (int(members[int(rng.random() * len(members))]), int(live_orgs[int(rng.random() * len(live_orgs))]))
            if pair not in taken:
                break
        else:
            break
        taken.add(pair)
        ch.created.append((pair[0], pair[1], ts))
        created.append(CREATED_BASE + len(ch.created))
    others = [int(m) for m, d in zip(t.id.tolist(), t.default.tolist(), strict=True) if not d]
    chosen = rng.sample(others, min(len(others), update + delete))
    made_default, deleted = sorted(chosen[:update]), sorted(chosen[update:])
    for membership_id in made_default:
        row = t.row(membership_id)
        user_index = int(t.user[row])
        previous = t.id[(t.user == user_index) & t.default]
        for mid in [membership_id] + previous.tolist():
            ch.updated[int(mid)] = ts
        ch.default_of[user_index] = membership_id
        ds.users.overrides.setdefault(user_index, {})["organization_id"] = ids.ORGANIZATION + int(t.org[row]) + 1
        users.updated[user_index] = ts
        ds.touch("user", user_index)
    ch.deleted.update(deleted)
    return {"created": created, "updated": made_default, "deleted": deleted}
