"""One emulated account's data: columns, materialisers, sorted views and the record cache, behind one lock.

`version` moves on every mutation; views (sorted keys) and serialised records are cached against it or against
per-record revisions, so reads after a mutation see the change and reads without one cost no rebuilding.
"""

from __future__ import annotations

import threading

import numpy as np

from . import columns
from .audits import Audits
from .catalog import Catalog
from .columns import QUIET_SECONDS
from .metrics import Metrics
from .order import View, pack, view_of
from .people import Organizations, Users
from .prefetch import Prefetcher
from .serial import BytesCache, dumps
from .sizes import Sizes
from .textpool import TAGS, TextPool
from .tickets import Tickets


class Dataset:
    def __init__(self, seed: int, sizes: Sizes, anchor: float, subdomain: str = "acme"):
        self.seed, self.subdomain = seed, subdomain
        self.sizes = sizes.resolved()
        self.anchor = int(anchor)
        self.lock = threading.RLock()
        self.text = TextPool(seed)
        org_cols = columns.organizations(seed, self.sizes, self.anchor)
        user_cols = columns.users(seed, self.sizes, self.anchor, org_cols)
        self.catalog = Catalog(seed, self.sizes, self.anchor, subdomain, user_cols.agents)
        self.orgs = Organizations(seed, org_cols, subdomain, self.catalog.groups, self.catalog.organization_fields)
        self.users = Users(seed, user_cols, subdomain, self.orgs, self.catalog.memberships, self.catalog.user_fields)
        ticket_cols = columns.tickets(seed, self.sizes, self.anchor, user_cols, len(self.catalog.groups),
                                      len(self.catalog.brands), len(self.catalog.ticket_forms), self.catalog.option_specs())
        self.tickets = Tickets(seed, ticket_cols, self.catalog, self.users, self.orgs, self.text, subdomain)
        self.audits = Audits(seed, self.tickets, columns.audit_times(seed, ticket_cols), self.text, subdomain)
        # Until when running metric clocks count (SLA breaches): the generated history's end, then each mutation's time.
        self.as_of_base = self.as_of = self.anchor - QUIET_SECONDS
        self.metrics = Metrics(self)
        self.version = 0
        self.schema = 0  # moves when ticket fields change: every ticket's custom_fields may change
        self.revisions: dict[str, dict[int, int]] = {kind: {} for kind in ("ticket", "metric", "user", "org", "audit")}
        self._views: dict[str, tuple[int, View]] = {}
        self.cache = BytesCache()
        self.prefetcher = Prefetcher(self.lock)

    # -- change tracking -------------------------------------------------------------------------------------------
    def touch(self, kind: str, index: int) -> None:
        revisions = self.revisions[kind]
        revisions[index] = revisions.get(index, 0) + 1

    def bump(self) -> None:
        self.version += 1

    # -- serialised records ----------------------------------------------------------------------------------------
    def _cached(self, kind: str, index: int, build) -> bytes:
        key = (kind, index, self.revisions[kind].get(index, 0), self.schema)
        data = self.cache.get(key)
        if data is None:
            data = self.cache.put(key, dumps(build(index)))
        return data

    def ticket_bytes(self, index: int) -> bytes:
        return self._cached("ticket", index, self.tickets.record)

    def metric_bytes(self, index: int) -> bytes:
        return self._cached("metric", index, self.metrics.metric_set)

    def user_bytes(self, index: int) -> bytes:
        return self._cached("user", index, self.users.record)

    def org_bytes(self, index: int) -> bytes:
        return self._cached("org", index, self.orgs.record)

    def audit_bytes(self, row: int) -> bytes:
        return self._cached("audit", row, self.audits.audit)

    # -- membership ------------------------------------------------------------------------------------------------
    def listable_tickets(self) -> np.ndarray:
        """Ticket indexes the list endpoints show: not deleted and not archived."""
        cols = self.tickets.cols
        return np.flatnonzero((cols.deleted == 0) & (cols.archived == 0))

    def ticket_shown(self, index: int) -> bool:
        """A ticket the API shows on its own and under its sub-resources: it exists and is not deleted (an archived
        one is still shown)."""
        return 0 <= index < len(self.tickets) and not self.tickets.cols.deleted[index]

    def ticket_listable(self, index: int) -> bool:
        cols = self.tickets.cols
        return 0 <= index < len(cols.created) and not cols.deleted[index] and not cols.archived[index]

    # -- views -----------------------------------------------------------------------------------------------------
    def view(self, name: str) -> View:
        return self.cached(name, lambda: self._build_view(name))

    def cached(self, name: str, build):
        """A value derived from the data, rebuilt only after a mutation moved `version`."""
        hit = self._views.get(name)
        if hit is not None and hit[0] == self.version:
            return hit[1]
        value = build()
        self._views[name] = (self.version, value)
        return value

    def _build_view(self, name: str) -> View:
        t, u, o = self.tickets.cols, self.users.cols, self.orgs.cols
        if name == "tickets.export":
            return view_of(t.generated, np.arange(len(t.generated)))
        if name == "tickets.id":
            return View(self.listable_tickets().astype(np.uint64))
        if name == "tickets.updated":
            listable = self.listable_tickets()
            return view_of(t.updated[listable], listable)
        if name == "ticket_metrics":
            return View(self.listable_tickets().astype(np.uint64), descending=True)
        if name in ("ticket_audits", "ticket_audits_all"):
            live = (t.deleted == 0) & (t.archived == 0) if name == "ticket_audits" else t.deleted == 0
            rows = np.flatnonzero(live[self.audits.owner])
            keys = pack(self.audits.times[rows], rows)
            extra = [(a["_ts"] << 32) | (self.audits.base_rows + i) for i, a in enumerate(self.audits.extra)
                     if live[a["ticket_id"] - 1]]
            keys = np.sort(np.concatenate([keys, np.array(extra, dtype=np.uint64)]))
            return View(keys, descending=True)
        if name == "users.export":
            return view_of(u.updated, np.arange(len(u.updated)))
        if name == "users.id":
            return View(np.flatnonzero(u.active == 1).astype(np.uint64))
        if name == "orgs.export":
            return view_of(o.updated, np.arange(len(o.updated)))
        if name == "orgs.id":
            return View(np.flatnonzero(o.deleted_at == 0).astype(np.uint64))
        raise KeyError(name)

    def counts(self) -> dict[str, int]:
        t = self.tickets.cols
        return {
            "tickets": len(t.created),
            "tickets_archived": int(t.archived.sum()),
            "tickets_deleted": int(t.deleted.sum()),
            "ticket_audits": self.audits.base_rows + len(self.audits.extra),
            "users": len(self.users),
            "organizations": len(self.orgs),
            "groups": len(self.catalog.groups),
            "group_memberships": len(self.catalog.memberships),
            "macros": len(self.catalog.macros),
            "ticket_fields": len(self.catalog.ticket_fields),
            "tags": len(self.tag_counts()),
        }

    def tag_counts(self) -> dict[str, int]:
        """Tickets per tag over tickets that are not deleted (Zendesk counts recent use; we count all)."""
        return self.cached("#tags", self._tag_counts)

    def _tag_counts(self) -> dict[str, int]:
        t = self.tickets
        cols = t.cols
        live = cols.deleted == 0
        counts: dict[str, int] = {}
        plain = np.bincount(cols.tags[live].ravel(), minlength=len(TAGS) + 1)
        for i, n in enumerate(plain[1:]):
            if n:
                counts[TAGS[i]] = int(n)
        for field in t.custom_fields:
            column = field.get("_column")
            if column is None:
                continue
            values = cols.options[live, column]
            if field["type"] == "checkbox":
                counts[field["tag"]] = counts.get(field["tag"], 0) + int((values > 0).sum())
            elif field["type"] == "tagger":
                for j, option in enumerate(field["custom_field_options"]):
                    counts[option["value"]] = counts.get(option["value"], 0) + int((values == j + 1).sum())
            else:
                for j, option in enumerate(field["custom_field_options"]):
                    counts[option["value"]] = counts.get(option["value"], 0) + int(((values >> j) & 1).sum())
        for index, extra in t.overrides.items():
            if "tags" not in extra or cols.deleted[index]:
                continue
            for tag in t.base_tags(index):
                counts[tag] = counts.get(tag, 0) - 1
            for tag in extra["tags"]:
                counts[tag] = counts.get(tag, 0) + 1
        return {k: v for k, v in counts.items() if v > 0}
