"""The small, configuration-like resources of an account, built whole: brands, groups and memberships, ticket
fields and forms, macros, user/organization fields, SLA policies, (views.py) views and (catalog_rules.py) automations, triggers,
custom roles, schedules, custom statuses and routing attributes. They are lists of dicts in Zendesk's JSON shape;
keys starting with `_` hold internal integers (timestamps, indexes, a `_deleted` flag) and are stripped when
rendered. Brands and ticket forms are never removed from their lists (tickets point at them by position): a
deleted one is flagged `_deleted` and left out of the API."""

from __future__ import annotations

import random

from . import catalog_rules, custom_fields, ids, views
from .columns import DAY, QUIET_SECONDS
from .sizes import Sizes
from .textpool import MACRO_TITLES, TAGS
from .timefmt import iso

SYSTEM_FIELDS = (
    ("subject", "Subject", None),
    ("description", "Description", None),
    ("status", "Status", [("Open", "open"), ("Pending", "pending"), ("On-hold", "hold"), ("Solved", "solved")]),
    ("tickettype", "Type", [("Question", "question"), ("Incident", "incident"), ("Problem", "problem"), ("Task", "task")]),
    ("priority", "Priority", [("Low", "low"), ("Normal", "normal"), ("High", "high"), ("Urgent", "urgent")]),
    ("group", "Group", None),
    ("assignee", "Assignee", None),
)
# Every custom ticket field type Zendesk has (system fields are SYSTEM_FIELDS), lookups to users and organizations.
CUSTOM_TYPES = ("tagger", "text", "integer", "checkbox", "multiselect", "decimal", "textarea", "date", "tagger",
                "regexp", "checkbox", "text", "partialcreditcard", "lookup", "lookup")
LOOKUPS = (("Account owner", "zen:user"), ("Billing organization", "zen:organization"))
OPTION_NAMES = {
    "tagger": [("Product", ["Billing", "Mobile app", "Web app", "API", "Integrations", "Hardware"]),
               ("Region", ["North America", "Europe", "Asia Pacific", "Latin America", "Africa"])],
    "multiselect": [("Affected areas", ["Login", "Checkout", "Search", "Reports", "Notifications", "Exports"])],
}
TEXT_TITLES = ("Order number", "Serial number", "Account manager", "Customer reference", "Contract id")
COLUMN_BACKED = ("tagger", "multiselect", "checkbox")


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_")


class Catalog:
    # Attached by catalog_rules.build.
    automations: list[dict]
    triggers: list[dict]
    custom_roles: list[dict]
    schedules: list[dict]
    custom_statuses: list[dict]
    routing_attributes: list[dict]
    routing_values: list[dict]
    attribute_definitions: dict[str, list[dict]]
    views: list[dict]  # attached by views.build

    def __init__(self, seed: int, sizes: Sizes, anchor: int, subdomain: str, agents: int):
        self.seed, self.subdomain = seed, subdomain
        self.base = f"https://{subdomain}.zendesk.com/api/v2"
        self.end = anchor - QUIET_SECONDS
        self.start = self.end - int(sizes.years * 365 * DAY)
        rng = random.Random(seed * 31 + 7)
        self.brands = self._brands(rng)
        self.groups = self._groups(rng, sizes.groups)
        self.memberships = self._memberships(rng, agents)
        self.ticket_fields = self._ticket_fields(rng, sizes.ticket_fields)
        self.ticket_forms = self._ticket_forms(rng)
        self.macros = [self._macro(rng, i) for i in range(sizes.macros)]
        self.user_fields = self._custom_fields(rng, ids.USER_FIELD, "user_fields", custom_fields.USER_FIELDS)
        self.organization_fields = self._custom_fields(rng, ids.ORG_FIELD, "organization_fields",
                                                       custom_fields.ORGANIZATION_FIELDS)
        self.sla_policies = self._sla_policies()
        catalog_rules.build(self, seed)
        views.build(self, seed)
        self.state: dict[str, object] = {}  # mutable state of resources derived from the columns (derived.py)

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _when(self, rng: random.Random, early: float = 0.0, late: float = 1.0) -> int:
        return int(self.start + (self.end - self.start) * (early + (late - early) * rng.random()))

    def _stamp(self, record: dict, created: int, updated: int) -> dict:
        record.update(created_at=iso(created), updated_at=iso(updated), _created=created, _updated=updated)
        return record

    # -- builders --------------------------------------------------------------------------------------------------
    def _brands(self, rng: random.Random) -> list[dict]:
        names = [self.subdomain.capitalize(), f"{self.subdomain.capitalize()} Pro"]
        out = []
        for i, name in enumerate(names):
            bid = ids.BRAND + i + 1
            sub = self.subdomain if i == 0 else f"{self.subdomain}-pro"
            out.append(self._stamp({
                "id": bid, "url": f"{self.base}/brands/{bid}.json", "name": name, "brand_url": f"https://{sub}.zendesk.com",
                "subdomain": sub, "host_mapping": None, "has_help_center": i == 0, "help_center_state": "enabled" if i == 0 else "disabled",
                "active": True, "default": i == 0, "is_deleted": False, "logo": None, "ticket_form_ids": [],
                "signature_template": "{{agent.signature}}",
            }, self.start, self._when(rng, 0.1, 0.9)))
        return out

    def _groups(self, rng: random.Random, n: int) -> list[dict]:
        names = ["Support", "Billing", "Tier 2", "Escalations", "Sales", "Onboarding", "Returns", "VIP", "Partners",
                 "Security", "Hardware", "Social media"]
        out = []
        for i in range(n):
            gid = ids.GROUP + i + 1
            created = self._when(rng, 0.0, 0.05 + 0.6 * i / max(1, n))
            deleted = i >= 3 and rng.random() < 0.15
            updated = self._when(rng, (created - self.start) / (self.end - self.start), 1.0)
            name = names[i] if i < len(names) else f"{names[i % len(names)]} {i // len(names) + 1}"
            out.append(self._stamp({
                "id": gid, "url": f"{self.base}/groups/{gid}.json", "name": name,
                "description": f"{name} team queue" if rng.random() < 0.7 else "", "default": i == 0,
                "deleted": deleted, "is_public": rng.random() < 0.9,
            }, created, updated))
        return out

    def _memberships(self, rng: random.Random, agents: int) -> list[dict]:
        live = [g for g in self.groups if not g["deleted"]]
        out: list[dict] = []
        for agent in range(agents):
            chosen = rng.sample(live, k=min(len(live), 1 + int(rng.random() * 3)))
            for k, group in enumerate(chosen):
                mid = ids.MEMBERSHIP + len(out) + 1
                created = max(group["_created"], self._when(rng, 0.0, 0.5))
                out.append(self._stamp({
                    "id": mid, "url": f"{self.base}/group_memberships/{mid}.json", "user_id": ids.USER + agent + 1,
                    "group_id": group["id"], "default": k == 0,
                }, created, created if rng.random() < 0.7 else self._when(rng, 0.5, 1.0)))
        return out

    def _ticket_fields(self, rng: random.Random, custom: int) -> list[dict]:
        out: list[dict] = []
        for pos, (ftype, title, options) in enumerate(SYSTEM_FIELDS):
            record = self._field(rng, len(out), ftype, title, pos)
            record["removable"] = False
            if options:
                record["system_field_options"] = [{"name": n, "value": v} for n, v in options]
                if ftype == "priority":
                    record["sub_type_id"] = 0
            out.append(record)
        taggers = iter(OPTION_NAMES["tagger"])
        column = lookups = 0
        for k in range(custom):
            ftype = CUSTOM_TYPES[k % len(CUSTOM_TYPES)]
            if ftype == "tagger":
                title, names = next(taggers, (f"Category {k}", ["Alpha", "Beta", "Gamma", "Delta"]))
            elif ftype == "multiselect":
                title, names = OPTION_NAMES["multiselect"][0] if k < len(CUSTOM_TYPES) else (f"Areas {k}", ["One", "Two", "Three"])
            elif ftype == "checkbox":
                title, names = ("Escalated to engineering" if column % 2 == 0 else "Refund issued"), None
            else:
                title, names = {"integer": "Units affected", "decimal": "Order value", "textarea": "Steps to reproduce",
                                "date": "Purchase date", "regexp": "Invoice code", "partialcreditcard": "Card on file",
                                "lookup": LOOKUPS[lookups % 2][0]}.get(ftype, TEXT_TITLES[k % len(TEXT_TITLES)]), None
            record = self._field(rng, len(out), ftype, title if k < len(CUSTOM_TYPES) else f"{title} {k}", len(SYSTEM_FIELDS) + k)
            if ftype == "regexp":
                record["regexp_for_validation"] = "^INV-[0-9]{6}$"
            if ftype == "lookup":
                record["relationship_target_type"] = LOOKUPS[lookups % 2][1]
                record["relationship_filter"] = {}
                lookups += 1
            if ftype == "checkbox":
                record["tag"] = _slug(title)
            if names:
                record["custom_field_options"] = [
                    {"id": ids.OPTION + record["_index"] * 100 + j + 1, "name": name, "raw_name": name,
                     "value": f"{_slug(title)}_{_slug(name)}", "position": j, "default": False}
                    for j, name in enumerate(names)]
            if ftype in COLUMN_BACKED:
                record["_column"] = column
                column += 1
            out.append(record)
        return out

    def _field(self, rng: random.Random, index: int, ftype: str, title: str, position: int) -> dict:
        fid = ids.FIELD + index + 1
        created = self._when(rng, 0.0, 0.3)
        record = {
            "id": fid, "url": f"{self.base}/ticket_fields/{fid}.json", "type": ftype, "title": title, "raw_title": title,
            "description": f"{title} of the request", "raw_description": f"{title} of the request",
            "agent_description": None, "position": position, "active": True, "required": ftype == "subject",
            "collapsed_for_agents": False, "regexp_for_validation": None, "title_in_portal": title,
            "raw_title_in_portal": title, "visible_in_portal": ftype in ("subject", "description", "tagger"),
            "editable_in_portal": ftype in ("subject", "description"), "required_in_portal": ftype == "subject",
            "tag": None, "removable": True, "key": None, "_index": index,
        }
        return self._stamp(record, created, max(created, self._when(rng, 0.3, 1.0)))

    def _ticket_forms(self, rng: random.Random) -> list[dict]:
        field_ids = [f["id"] for f in self.ticket_fields]
        names = ["Default Ticket Form", "Billing request", "Bug report"]
        out = []
        for i, name in enumerate(names):
            fid = ids.FORM + i + 1
            chosen = field_ids[:7] + [x for j, x in enumerate(field_ids[7:]) if (j + i) % 2 == 0 or i == 0]
            out.append(self._stamp({
                "id": fid, "url": f"{self.base}/ticket_forms/{fid}.json", "name": name, "raw_name": name,
                "display_name": name if i else "Submit a request", "raw_display_name": name if i else "Submit a request",
                "end_user_visible": True, "position": i, "ticket_field_ids": chosen, "active": True, "default": i == 0,
                "in_all_brands": i != 2, "restricted_brand_ids": [] if i != 2 else [self.brands[0]["id"]],
                "end_user_conditions": [], "agent_conditions": [],
            }, self.start + i * DAY, self._when(rng, 0.2, 1.0)))
        return out

    def _macro(self, rng: random.Random, i: int) -> dict:
        mid = ids.MACRO + i + 1
        title = MACRO_TITLES[i % len(MACRO_TITLES)] + ("" if i < len(MACRO_TITLES) else f" ({i // len(MACRO_TITLES) + 1})")
        created = self._when(rng, 0.0, 0.95)
        return self._stamp({
            "id": mid, "url": f"{self.base}/macros/{mid}.json", "title": title, "raw_title": title,
            "description": f"Use when: {title.lower()}" if rng.random() < 0.6 else None,
            "active": rng.random() < 0.85, "position": i + 1, "default": False,
            "restriction": self._restriction(rng), "actions": self._actions(rng),
        }, created, max(created, self._when(rng, (created - self.start) / (self.end - self.start), 1.0)))

    def _restriction(self, rng: random.Random) -> dict | None:
        r = rng.random()
        live = [g["id"] for g in self.groups if not g["deleted"]]
        if r < 0.6 or not live:
            return None
        if r < 0.9:
            chosen = sorted(rng.sample(live, k=min(len(live), 1 + int(rng.random() * 2))))
            return {"type": "Group", "id": chosen[0], "ids": chosen}
        agent = ids.USER + 1 + int(rng.random() * 5)
        return {"type": "User", "id": agent}

    def _actions(self, rng: random.Random) -> list[dict]:
        actions = [{"field": "status", "value": rng.choice(["open", "pending", "solved"])}]
        if rng.random() < 0.5:
            actions.append({"field": "priority", "value": rng.choice(["low", "normal", "high", "urgent"])})
        if rng.random() < 0.4:
            actions.append({"field": "group_id", "value": str(rng.choice(self.groups)["id"])})
        if rng.random() < 0.5:
            actions.append({"field": "current_tags", "value": " ".join(rng.sample(TAGS, k=2))})
        if rng.random() < 0.3:
            tagger = next(f for f in self.ticket_fields if f["type"] == "tagger")
            option = rng.choice(tagger["custom_field_options"])
            actions.append({"field": f"custom_fields_{tagger['id']}", "value": option["value"]})
        actions.append({"field": "comment_value_html", "value": "<p>Hi {{ticket.requester.first_name}},</p><p>Thanks for reaching out.</p>"})
        actions.append({"field": "comment_mode_is_public", "value": "true" if rng.random() < 0.8 else "false"})
        return actions

    def _custom_fields(self, rng: random.Random, base: int, path: str, fields: tuple) -> list[dict]:
        return [self._stamp(record, self.start, self._when(rng, 0.0, 0.5))
                for record in custom_fields.definitions(self.base, path, base, fields)]

    def _sla_policies(self) -> list[dict]:
        out = []
        for i, (title, targets) in enumerate((("Standard", (480, 2880)), ("VIP", (60, 480)))):
            sid = ids.SLA + i + 1
            metrics = [{"priority": p, "metric": m, "target": t // (2 if p in ("high", "urgent") else 1), "business_hours": True}
                       for p in ("low", "normal", "high", "urgent") for m, t in (("first_reply_time", targets[0]), ("requester_wait_time", targets[1]))]
            out.append(self._stamp({
                "id": sid, "url": f"{self.base}/slas/policies/{sid}.json", "title": title,
                "description": f"{title} support targets", "position": i + 1,
                "filter": {"all": [{"field": "tags", "operator": "includes", "value": "vip"}] if i else [], "any": []},
                "policy_metrics": metrics,
            }, self.start + DAY, self.start + 30 * DAY))
        return out

    # -- column-backed custom fields -------------------------------------------------------------------------------
    def option_specs(self) -> list[tuple[int, bool]]:
        specs = []
        for f in self.ticket_fields:
            if "_column" in f:
                count = len(f.get("custom_field_options") or [None])
                specs.append((count, f["type"] == "multiselect"))
        return specs


def public(record: dict) -> dict:
    return {k: v for k, v in record.items() if k[0] != "_"}
