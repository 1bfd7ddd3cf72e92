"""The account's audit log: sign-ins, exports and changes to users, business rules, fields, groups and settings.

Generated rows live in columns (time, kind, actor, source) and are rendered on demand; `max(400, tickets // 8)`
of them over the account's life, denser towards the present. Entries only ever get added: a mutation of a
catalog resource (macros, triggers, groups, ...) appends what Zendesk would log for it, and `mutate("audit_logs",
create=n)` appends n sign-ins. Id AUDIT_LOG + row + 1.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from . import ids
from .columns import QUIET_SECONDS, _spread
from .dataset import Dataset
from .derive import state
from .rng import column_rng
from .timefmt import iso

# (source_type, action, weight, change description); "{label}" is the source's name.
KINDS = (
    ("user", "login", 0.42, "Successful sign-in using Zendesk password from https://{sub}.zendesk.com/access/login"),
    ("user", "update", 0.10, "Role changed from End user to Agent"),
    ("user", "create", 0.06, "Created"),
    ("rule", "update", 0.12, "Title changed, actions changed"),
    ("rule", "create", 0.05, "Created"),
    ("ticket_field", "update", 0.05, "Field options changed"),
    ("group", "update", 0.04, "Description changed"),
    ("group", "create", 0.02, "Created"),
    ("account_setting", "update", 0.07, "Agents can delete tickets: changed from off to on"),
    ("account", "exported", 0.04, "Full JSON export requested"),
    ("brand", "update", 0.03, "Signature template changed"),
)
SOURCE_TYPES = tuple(sorted({k[0] for k in KINDS}))
ACTIONS = ("create", "destroy", "exported", "login", "update")
_ACTION_LABELS = {"create": "Created", "destroy": "Deleted", "exported": "Exported", "login": "Signed in", "update": "Updated"}
KIND_AUDIT_LOG = 40


@dataclass
class Appended:
    rows: list[dict] = field(default_factory=list)  # {ts, type, action, actor, source_id, label, description}


@dataclass
class Log:
    """Every entry as columns, generated rows first (row = position)."""
    time: np.ndarray
    type: np.ndarray  # index into the `types` list
    action: np.ndarray  # index into ACTIONS
    actor: np.ndarray  # user index
    source_id: np.ndarray
    types: list[str]


def appended(ds: Dataset) -> Appended:
    return state(ds, "audit_logs", Appended)


def sources(ds: Dataset) -> dict[str, list[tuple[int, str]]]:
    """What generated entries can point at, by source_type: (id, label), as the account was created: taken on first
    use, which the first mutation makes sure comes before it changes the catalog (resources/registry.py), so no
    generated entry of the past names a record created since."""
    def snapshot() -> dict[str, list[tuple[int, str]]]:
        cat = ds.catalog
        rules = [(m["id"], f"Macro: {m['title']}") for m in cat.macros] + \
                [(t["id"], f"Trigger: {t['title']}") for t in cat.triggers] + \
                [(a["id"], f"Automation: {a['title']}") for a in cat.automations]
        return {"rule": rules, "ticket_field": [(f["id"], f["title"]) for f in cat.ticket_fields],
                "group": [(g["id"], g["name"]) for g in cat.groups], "brand": [(b["id"], b["name"]) for b in cat.brands],
                "account_setting": [(1, "Agents")], "account": [(1, "Account")]}
    return state(ds, "audit_log_sources", snapshot)


def _generated(ds: Dataset) -> tuple[np.ndarray, ...]:
    def build() -> tuple[np.ndarray, ...]:
        rng = column_rng(ds.seed, KIND_AUDIT_LOG)
        n = max(400, ds.sizes.tickets // 8)
        end = ds.anchor - QUIET_SECONDS
        time = _spread(rng, n, ds.catalog.start, end, 0.02)
        weights = np.array([k[2] for k in KINDS])
        kind = np.searchsorted(np.cumsum(weights / weights.sum()), rng.random(n), "right").astype(np.int64)
        kind = np.minimum(kind, len(KINDS) - 1)
        agents = ds.users.cols.agents
        admin = rng.random(n) < 0.7
        actor = np.where(admin, (rng.random(n) * 3).astype(np.int64), (rng.random(n) * agents).astype(np.int64))
        pick = rng.random(n)
        return time, kind, actor, pick
    return state(ds, "audit_log_generated", build)


def log(ds: Dataset) -> Log:
    return ds.cached("#audit_log", lambda: _build(ds))


def _build(ds: Dataset) -> Log:
    time, kind, actor, pick = _generated(ds)
    extra = appended(ds).rows
    types = list(SOURCE_TYPES) + sorted({r["type"] for r in extra} - set(SOURCE_TYPES))  # mutations' (logged_as)
    type_code = np.array([types.index(k[0]) for k in KINDS])[kind]
    action_code = np.array([ACTIONS.index(k[1]) for k in KINDS])[kind]
    source = _source_ids(ds, time, kind, actor, pick)
    if extra:
        time = np.concatenate([time, [r["ts"] for r in extra]])
        type_code = np.concatenate([type_code, [types.index(r["type"]) for r in extra]])
        action_code = np.concatenate([action_code, [ACTIONS.index(r["action"]) for r in extra]])
        actor = np.concatenate([actor, [r["actor"] for r in extra]])
        source = np.concatenate([source, [r["source_id"] for r in extra]])
    return Log(time.astype(np.int64), type_code, action_code, actor.astype(np.int64), source.astype(np.int64), types)


def _source_ids(ds: Dataset, time: np.ndarray, kind: np.ndarray, actor: np.ndarray, pick: np.ndarray) -> np.ndarray:
    users = ds.users.cols
    known = np.maximum(np.searchsorted(users.created, time, "right"), 1)
    user_index = np.where(np.array([k[1] == "login" for k in KINDS])[kind], actor, (pick * known).astype(np.int64))
    out = ids.USER + user_index + 1
    by_type = sources(ds)
    for code, (source_type, _, _, _) in enumerate(KINDS):
        if source_type == "user":
            continue
        mask = kind == code
        choices = np.array([s[0] for s in by_type[source_type]], dtype=np.int64)
        out[mask] = choices[(pick[mask] * len(choices)).astype(np.int64)]
    return out


def record(ds: Dataset, row: int) -> dict:
    lg = log(ds)
    actor = int(lg.actor[row])
    source_type, action = lg.types[int(lg.type[row])], ACTIONS[int(lg.action[row])]
    source_id = int(lg.source_id[row])
    generated = len(_generated(ds)[0])
    if row < generated:
        description = KINDS[int(_generated(ds)[1][row])][3].format(sub=ds.subdomain)
        label = _label(ds, source_type, source_id)
    else:
        entry = appended(ds).rows[row - generated]
        description, label = entry["description"], entry["label"]
    lid = ids.AUDIT_LOG + row + 1
    return {"url": f"{ds.users.base}/audit_logs/{lid}.json", "id": lid, "actor_id": ids.USER + actor + 1,
            "actor_name": ds.users.name(actor), "source_id": source_id, "source_type": source_type,
            "source_label": label, "action": action, "action_label": _ACTION_LABELS[action],
            "change_description": description, "ip_address": ip_of(actor), "created_at": iso(int(lg.time[row]))}


def ip_of(actor: int) -> str:
    return f"203.0.113.{actor % 250 + 1}"


def _label(ds: Dataset, source_type: str, source_id: int) -> str:
    if source_type == "user":
        return ds.users.name(source_id - ids.USER - 1)
    for sid, label in sources(ds).get(source_type, ()):
        if sid == source_id:
            return label
    return source_type


def append(ds: Dataset, ts: int, source_type: str, action: str, source_id: int, label: str, description: str,
           actor: int = 0) -> None:
    appended(ds).rows.append({"ts": ts, "type": source_type, "action": action, "actor": actor, "source_id": source_id,
                              "label": label, "description": description})


def titles(records: list[dict]) -> dict[int, str]:
    """The names entries give a catalog list's records."""
    return {r["id"]: str(r.get("title") or r.get("name") or r.get("agent_label") or r["id"]) for r in records}


def record_mutation(ds: Dataset, resource: str, source_type: str, summary: dict, ts: int, labels: dict[int, str]) -> None:
    """Log a catalog mutation as its admin would have made it (the account owner), filed under `source_type`."""
    for action, key in (("create", "created"), ("update", "updated"), ("update", "deactivated"), ("destroy", "deleted")):
        for source_id in summary.get(key, []):
            if isinstance(source_id, int):
                label = labels.get(source_id, f"{resource} {source_id}")
                append(ds, ts, source_type, action, source_id, label, _ACTION_LABELS[action])


def sign_ins(ds: Dataset, rng: random.Random, ts: int, n: int) -> list[int]:
    created = []
    for _ in range(n):
        actor = int(rng.random() * 3)
        append(ds, ts, "user", "login", ids.USER + actor + 1, ds.users.name(actor), KINDS[0][3].format(sub=ds.subdomain), actor)
        created.append(ids.AUDIT_LOG + len(log_rows(ds)))
    return created


def log_rows(ds: Dataset) -> range:
    return range(len(_generated(ds)[0]) + len(appended(ds).rows))

