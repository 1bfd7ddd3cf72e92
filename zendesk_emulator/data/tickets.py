"""Tickets and their satisfaction ratings, materialised from columns plus a per-ticket random stream.

A mutated ticket keeps its base values in the columns that order and filter records (updated, generated, status,
deleted, archived: changed in place, originals saved under `_base`) and everything else in `overrides[index]`.
Ticket index i is ticket id i + 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ids
from .catalog import Catalog
from .columns import CHANNELS, PRIORITIES, SCORES, STATUSES, TYPES, TicketColumns
from .people import Organizations, Users
from .rng import KIND_TICKET, record_rng
from .textpool import TAGS, TextPool
from .timefmt import iso, iso_date

_REASONS = ((0, "No reason provided"), (1000, "The issue took too long to resolve"), (1001, "The issue was not resolved"),
            (1002, "The agent's knowledge is unsatisfactory"), (1003, "The agent's attitude is unsatisfactory"))
_GOOD = ("Great support, thanks!", "Quick and helpful.", "Solved my problem in minutes.", "", "Very friendly agent.")
_BAD = ("Took far too long.", "Still not fixed.", "Nobody answered my question.", "")
# Legacy values, of another shape than their field's type now says (custom_fields.py): the top of a field's draws.
LEGACY_FROM = 0.993


class Tickets:
    def __init__(self, seed: int, cols: TicketColumns, catalog: Catalog, users: Users, orgs: Organizations,
                 text: TextPool, subdomain: str):
        self.seed, self.catalog, self.users, self.orgs, self.text = seed, catalog, users, orgs, text
        self.subdomain = subdomain
        self.base = f"https://{subdomain}.zendesk.com/api/v2"
        self.overrides: dict[int, dict] = {}
        self.set_columns(cols)
        self.refresh_fields()

    def set_columns(self, cols: TicketColumns) -> None:
        self.cols = cols
        self.has_incidents = np.zeros(len(cols.created), dtype=bool)
        linked = cols.problem[cols.problem >= 0]
        self.has_incidents[linked] = True
        self._m = {name: memoryview(getattr(cols, name)) for name in (
            "created", "updated", "generated", "status", "deleted", "requester", "assignee", "group", "priority",
            "type", "channel", "brand", "form", "score", "problem")}
        self._tags = cols.tags.data
        self._options = cols.options.data

    def refresh_fields(self) -> None:
        """Re-read the ticket field list (after a ticket_fields mutation)."""
        self.custom_fields = [f for f in self.catalog.ticket_fields if f["removable"] and f["active"]]
        # Per field, what materialising a value needs, looked up once instead of per ticket: every field the account
        # ever had, in the order they came, so that a field deleted (`gone`) still takes its draw and the others
        # keep their values, and the history (the Create audits) keeps its events. `_added`: when a mutation added
        # the field; the generated fields hold values on every ticket.
        live = {f["id"] for f in self.custom_fields}
        known = {spec[0]: spec for spec in getattr(self, "_specs", [])}
        for f in self.custom_fields:
            known.setdefault(f["id"], (f["id"], f["type"], f.get("_column"),
                                       [o["value"] for o in f.get("custom_field_options") or []], f.get("tag"),
                                       f.get("relationship_target_type") or f["title"][:3].upper(),
                                       f.get("_added", 0), False))
        self._specs = [(*spec[:-1], spec[0] not in live) for spec in known.values()]
        self._tag_specs = [(column, kind, options, tag) for _, kind, column, options, tag, _, _, gone in self._specs
                           if column is not None and not gone]
        self.group_ids = [g["id"] for g in self.catalog.groups]
        self.brand_ids = [b["id"] for b in self.catalog.brands]
        self.brand_names = [b["name"] for b in self.catalog.brands]
        self.form_ids = [f["id"] for f in self.catalog.ticket_forms]

    def __len__(self) -> int:
        return len(self.cols.created)

    # -- values ----------------------------------------------------------------------------------------------------
    def keep_base(self, index: int) -> dict:
        """The ticket's overrides, with the columns mutations change in place saved under `_base` first."""
        extra = self.overrides.setdefault(index, {})
        extra.setdefault("_base", {name: int(getattr(self.cols, name)[index]) for name in ("status", "updated", "generated")})
        return extra

    def base_value(self, index: int, name: str) -> int:
        extra = self.overrides.get(index)
        if extra is not None and name in extra.get("_base", ()):
            return extra["_base"][name]
        return self._m[name][index]

    def status_name(self, index: int) -> str:
        return "deleted" if self._m["deleted"][index] else STATUSES[self._m["status"][index]]

    def tags(self, index: int) -> list[str]:
        extra = self.overrides.get(index)
        if extra is not None and "tags" in extra:
            return extra["tags"]
        return self.base_tags(index)

    def base_tags(self, index: int) -> list[str]:
        """Plain tags plus the tags Zendesk adds for dropdown, multiselect and checkbox values."""
        m = self._tags
        tags = {TAGS[t - 1] for t in (m[index, 0], m[index, 1], m[index, 2]) if t}
        options = self._options
        for column, kind, values, tag in self._tag_specs:
            raw = options[index, column]
            if not raw:
                continue
            if kind == "checkbox":
                tags.add(tag)
            elif kind == "tagger":
                tags.add(values[raw - 1])
            else:
                tags.update(v for j, v in enumerate(values) if raw >> j & 1)
        return sorted(tags)

    def custom_values(self, index: int, rng, base: bool = False, history: bool = False) -> list[dict]:
        """The ticket's custom field values; `history`: with the deleted fields' too (what its audits recorded)."""
        options = self._options
        created = self._m["created"][index]
        draw = rng.random
        paragraphs = self.text.paragraphs
        out = []
        value: Any
        for fid, kind, column, values, _, prefix, since, gone in self._specs:
            if since >= created:
                # A field added after the ticket was created is empty on it, as in Zendesk: a new field writes
                # nothing into existing tickets, nor into their history (their audits' Create events). Nor does a
                # field added in the ticket's own second: mutations of one second may run in either order, and a
                # ticket created before the field could not have set it in its Create events.
                value = None
            elif column is not None:
                raw = options[index, column]
                if kind == "checkbox":
                    value = raw != 0
                elif not raw:
                    value = None
                elif kind == "tagger":
                    value = values[raw - 1]
                else:
                    value = [v for j, v in enumerate(values) if raw >> j & 1]
            else:
                r = draw()
                if r < 0.45:
                    value = None
                elif kind == "integer":
                    value = 1 + int(r * 400) if r < LEGACY_FROM else f"~{int(r * 400)}"
                elif kind == "decimal":
                    value = round(r * 2500, 2) if r < LEGACY_FROM else f"{r * 2500:,.2f}".replace(",", " ")
                elif kind == "date":
                    value = iso_date(created - int(r * 90 * 86400))
                    if r >= LEGACY_FROM:
                        value = f"{value[8:]}/{value[5:7]}/{value[:4]}"
                elif kind == "lookup":  # `prefix`: the field's relationship_target_type
                    value = (ids.USER + 1 + int(r * self.users.cols.agents) if prefix == "zen:user"
                             else self.users.organization_id(self._m["requester"][index]))
                elif kind == "partialcreditcard":  # Zendesk keeps the last four digits only
                    value = f"XXXXXXXXXXXX{int(r * 10_000_000) % 10_000:04d}"
                elif kind == "regexp":
                    value = f"INV-{int(r * 1_000_000):06d}"
                elif kind == "textarea":
                    value = paragraphs[int(r * TextPool.SIZE)]
                else:
                    value = f"{prefix}-{int(r * 10_000_000)}"
            if history or not gone:
                out.append({"id": fid, "value": value})
        extra = None if base else self.overrides.get(index)
        if extra is not None and "custom" in extra:
            changed = extra["custom"]
            for item in out:
                if item["id"] in changed:
                    item["value"] = changed[item["id"]]
        return out

    def via(self, index: int) -> dict:
        channel = CHANNELS[self._m["channel"][index]]
        requester = self._m["requester"][index]
        brand = self._m["brand"][index]
        source: dict[str, Any]
        if channel == "email":
            source = {"from": {"address": self.users.email(requester), "name": self.users.name(requester)},
                      "to": {"name": self.brand_names[brand], "address": f"support@{self.subdomain}.zendesk.com"}, "rel": None}
        elif channel == "voice":
            source = {"from": {"formatted_phone": "+1 (555) 010-0199", "phone": "+15550100199", "name": self.users.name(requester)},
                      "to": {"formatted_phone": "+1 (555) 010-0000", "phone": "+15550100000", "name": "Support line",
                             "brand_id": self.brand_ids[brand]}, "rel": "inbound"}
        elif channel == "native_messaging":
            source = {"from": {"name": self.users.name(requester)}, "to": {"brand_id": self.brand_ids[brand]}, "rel": "native_messaging"}
        elif channel == "facebook":
            source = {"from": {"name": self.users.name(requester), "facebook_id": str(10_000_000 + requester)},
                      "to": {"name": self.brand_names[brand], "facebook_id": "20000001"}, "rel": "post"}
        else:
            source = {"from": {}, "to": {}, "rel": "mobile" if channel == "mobile" else None}
        return {"channel": channel, "source": source}

    def rating(self, index: int) -> dict | None:
        score = SCORES[self._m["score"][index]]
        if score is None:
            return None
        if score in ("unoffered", "offered"):
            return {"score": score}
        h = (index + 1) * 2654435761 + self.seed * 40503  # comment and reason by arithmetic: audits ask for them too
        good = score == "good"
        reason_id, reason = _REASONS[0] if good else _REASONS[1 + h % 4]
        return {"id": ids.RATING + index + 1, "score": score,
                "comment": (_GOOD if good else _BAD)[(h >> 3) % (5 if good else 4)],
                "reason": reason, "reason_id": reason_id}

    # -- records ---------------------------------------------------------------------------------------------------
    def record(self, index: int, base: bool = False, history: bool = False) -> dict:
        """The ticket as the API shows it; `base=True` ignores mutations (what the ticket's generated audits built),
        `history=True` keeps the values of custom fields deleted since (its audits recorded them)."""
        m = self._m
        rng = record_rng(self.seed, KIND_TICKET, index)
        tid = index + 1
        requester, assignee, group = m["requester"][index], m["assignee"][index], m["group"][index]
        created, updated = m["created"][index], m["updated"][index]
        ttype = TYPES[m["type"][index]]
        channel = CHANNELS[m["channel"][index]]
        subject = self.text.subject(rng)
        staff = self.users.cols.agents
        people = [staff + int(rng.random() * (requester - staff + 1)) for _ in range(3 if rng.random() < 0.2 else 0)]
        followers = [1 + int(rng.random() * (staff - 1))] if rng.random() < 0.15 else []
        problem = m["problem"][index]
        record = {
            "url": f"{self.base}/tickets/{tid}.json",
            "id": tid,
            "external_id": f"ext-{tid}" if rng.random() < 0.1 else None,
            "via": self.via(index),
            "created_at": iso(created),
            "updated_at": iso(updated),
            "type": ttype,
            "subject": subject,
            "raw_subject": subject,
            "description": self.text.description(rng),
            "priority": PRIORITIES[m["priority"][index]],
            "status": self.status_name(index),
            "recipient": f"support@{self.subdomain}.zendesk.com" if channel == "email" else None,
            "requester_id": ids.USER + requester + 1,
            "submitter_id": ids.USER + requester + 1 if rng.random() < 0.85 or assignee < 0 else ids.USER + assignee + 1,
            "assignee_id": ids.USER + assignee + 1 if assignee >= 0 else None,
            "organization_id": self.users.organization_id(requester),
            "group_id": self.group_ids[group] if group >= 0 else None,
            "collaborator_ids": [ids.USER + p + 1 for p in people] + [ids.USER + f + 1 for f in followers],
            "follower_ids": [ids.USER + f + 1 for f in followers],
            "email_cc_ids": [ids.USER + p + 1 for p in people],
            "forum_topic_id": None,
            "problem_id": problem + 1 if problem >= 0 else None,
            "has_incidents": bool(self.has_incidents[index]),
            "is_public": rng.random() < 0.96,
            "due_at": iso(created + 3 * 86400 + int(rng.random() * 7 * 86400)) if ttype == "task" else None,
            "tags": self.base_tags(index) if base else self.tags(index),
            "custom_fields": None,
            "satisfaction_rating": self.rating(index),
            "sharing_agreement_ids": [],
            "custom_status_id": ids.CUSTOM_STATUS + m["status"][index] + 1,
            "fields": None,
            "followup_ids": [],
            "ticket_form_id": self.form_ids[m["form"][index]],
            "brand_id": self.brand_ids[m["brand"][index]],
            "allow_channelback": channel in ("facebook", "native_messaging"),
            "allow_attachments": True,
            "from_messaging_channel": channel == "native_messaging",
        }
        # `fields` duplicates `custom_fields`; sharing the list is safe because nothing changes it afterwards.
        record["custom_fields"] = record["fields"] = self.custom_values(index, rng, base, history)
        extra = None if base else self.overrides.get(index)
        if extra is not None:
            for key in ("priority", "assignee_id", "group_id", "subject", "raw_subject", "type"):
                if key in extra:
                    record[key] = extra[key]
        return record
