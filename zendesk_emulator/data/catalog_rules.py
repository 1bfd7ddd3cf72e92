"""Business rules and account configuration built whole with the catalog: automations, triggers, custom roles,
business-hours schedules, custom ticket statuses and skills-based routing attributes.

Each builder draws from its own random stream, so adding one never shifts the records the older builders make
(tickets, users and the generated audits are pinned by the integration tests). Shapes follow Zendesk's API
reference for each resource; keys starting with `_` are internal and stripped when rendered.
"""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING

import numpy as np

from . import holidays, ids
from .columns import DAY
from .timefmt import iso

if TYPE_CHECKING:
    from .catalog import Catalog

# The first automation and trigger are the ones generated audits name in via.source (audits.py).
AUTOMATIONS = (
    ("Close ticket 4 days after status is set to solved", [("status", "is", "solved"), ("SOLVED", "greater_than", "96")],
     [("status", "closed")]),
    ("Pending notification 24 hours", [("status", "is", "pending"), ("PENDING", "is", "24")],
     [("notification_user", ["requester_id", "Still waiting on your reply", "We are waiting for your reply."])]),
    ("Pending notification 5 days", [("status", "is", "pending"), ("PENDING", "is", "120")],
     [("notification_user", ["requester_id", "Reminder: we need your reply", "This request will close soon."])]),
    ("Request customer satisfaction rating", [("status", "is", "solved"), ("SOLVED", "greater_than", "24"),
                                              ("satisfaction_score", "is", "unoffered")],
     [("satisfaction_score", "offered"), ("notification_user", ["requester_id", "How did we do?", "{{satisfaction.rating_section}}"])]),
    ("Escalate urgent tickets unassigned for 1 hour", [("priority", "is", "urgent"), ("NEW", "greater_than", "1")],
     [("group_id", "escalations"), ("current_tags", "escalated")]),
    ("Remind assignee of open tickets after 48 hours", [("status", "is", "open"), ("OPEN", "greater_than", "48")],
     [("notification_user", ["assignee_id", "Ticket open for 2 days", "{{ticket.title}} needs attention."])]),
    ("Close abandoned on-hold tickets", [("status", "is", "hold"), ("HOLD", "greater_than", "720")],
     [("status", "closed"), ("current_tags", "abandoned")]),
)
TRIGGERS = (
    ("Notify requester of comment update", "Notifications", [("status", "less_than", "solved"), ("comment_is_public", "is", "true")],
     [("notification_user", ["requester_id", "[{{ticket.account}}] Re: {{ticket.title}}", "{{ticket.comments_formatted}}"])]),
    ("Notify requester and CCs of received request", "Notifications", [("update_type", "is", "Create"), ("status", "is_not", "solved")],
     [("notification_user", ["requester_and_ccs", "[{{ticket.account}}] Re: {{ticket.title}}", "Your request was received."])]),
    ("Notify assignee of assignment", "Notifications", [("assignee_id", "changed", None), ("assignee_id", "is_not", "current_user")],
     [("notification_user", ["assignee_id", "[{{ticket.account}}] Assignment: {{ticket.title}}", "You were assigned."])]),
    ("Notify group of assignment", "Notifications", [("group_id", "changed", None), ("assignee_id", "is", "")],
     [("notification_group", ["group_id", "[{{ticket.account}}] Group assignment", "A ticket was assigned to your group."])]),
    ("Route billing requests", "Routing", [("update_type", "is", "Create"), ("current_tags", "includes", "billing refund")],
     [("group_id", "billing"), ("priority", "normal")]),
    ("Route VIP customers", "Routing", [("update_type", "is", "Create"), ("organization_id", "is", "vip")],
     [("priority", "high"), ("current_tags", "vip")]),
    ("Tag tickets from chat", "Tagging", [("update_type", "is", "Create"), ("via_id", "is", "29")],
     [("current_tags", "from_chat")]),
    ("Auto-reply with articles", "Notifications", [("update_type", "is", "Create"), ("via_id", "is", "4")],
     [("notification_user", ["requester_id", "Re: {{ticket.title}}", "These articles may help."])]),
    ("Set urgent priority on outage reports", "Routing", [("comment_includes_word", "includes", "outage down")],
     [("priority", "urgent"), ("current_tags", "outage")]),
    # The two that give a ticket a schedule other than the default on its creation (`schedule_index`).
    ("Set Dublin business hours for the Pro brand", "Routing",
     [("update_type", "is", "Create"), ("brand_id", "is", str(ids.BRAND + 2))], [("set_schedule", str(ids.SCHEDULE + 2))]),
    ("Set Singapore business hours for bug reports", "Routing",
     [("update_type", "is", "Create"), ("ticket_form_id", "is", str(ids.FORM + 3))], [("set_schedule", str(ids.SCHEDULE + 3))]),
)
# Which trigger sets which schedule (by position in SCHEDULES): the later trigger wins when both match.
SCHEDULE_TRIGGERS = {1: len(TRIGGERS) - 2, 2: len(TRIGGERS) - 1}
TRIGGER_CATEGORIES = {"Notifications": "10026", "Routing": "10027", "Tagging": "10028"}
ROLES = (("Advisor", "Manage workflow and configure Support, but not solve tickets", True),
         ("Staff", "Edit tickets in their groups, no access to reports or business rules", False),
         ("Team lead", "Manage tickets, business rules and reports", True),
         ("Light agent", "Read tickets and add private comments", False),
         ("Billing specialist", "Work billing tickets and see customer organizations", False))
SCHEDULES = (("New York office", "Eastern Time (US & Canada)", 9 * 60, 17 * 60),
             ("Dublin office", "Dublin", 8 * 60, 16 * 60 + 30),
             ("Singapore office", "Singapore", 9 * 60, 18 * 60))
# (status_category, agent label, end-user label, active, default): ids follow ticket records' custom_status_id,
# which is CUSTOM_STATUS + base status + 1 for new, open, pending, hold, solved and closed.
CUSTOM_STATUSES = (("new", "New", "Open", True, True), ("open", "Open", "Open", True, True),
                   ("pending", "Pending", "Awaiting your reply", True, True), ("hold", "On-hold", "Open", True, True),
                   ("solved", "Solved", "Solved", True, True), ("solved", "Closed", "Solved", True, False),
                   ("open", "Escalated to engineering", "Open", True, False),
                   ("pending", "Awaiting customer approval", "Awaiting your reply", True, False),
                   ("hold", "Waiting on vendor", "Open", False, False))
ROUTING_ATTRIBUTES = (("Language", ("English", "Spanish", "German", "Japanese")),
                      ("Product", ("Billing", "Mobile app", "Web app", "API")),
                      ("Skill level", ("Tier 1", "Tier 2", "Expert")),
                      ("Region", ("AMER", "EMEA", "APAC")))
ROUTING_CONDITIONS = (("brand_id", "Brand"), ("group_id", "Group"), ("organization_id", "Organization"),
                      ("priority", "Priority"), ("ticket_form_id", "Form"), ("ticket_type_id", "Type"),
                      ("current_tags", "Tags"), ("requester_id", "Requester"), ("locale_id", "Requester language"),
                      ("via_id", "Channel"), ("number_of_incidents", "Number of incidents"))


def schedule_index(brand, form):
    """The schedule (position in SCHEDULES) a ticket of this brand and form index gets when it is created: the
    account's default (0) unless one of the schedule triggers matches. Works on numpy arrays and on integers."""
    return np.where(np.asarray(form) == 2, 2, np.where(np.asarray(brand) == 1, 1, 0))


def schedule_via(schedule: int) -> dict:
    """The via of the event a schedule trigger writes (as generated: audits are history, a later rename of the
    trigger does not rewrite them)."""
    position = SCHEDULE_TRIGGERS[schedule]
    return {"channel": "rule", "source": {"to": {}, "from": {"id": ids.TRIGGER + position + 1, "title": TRIGGERS[position][0],
                                                            "deleted": False}, "rel": "trigger"}}


def stable_uuid(seed: int, kind: str, index: int) -> str:
    """A UUID drawn from (seed, kind, index): the same account always names a record the same way."""
    bits = random.Random(f"{seed}:{kind}:{index}").getrandbits(128)
    return str(uuid.UUID(int=bits, version=4))


def _conditions(items: list[tuple]) -> dict:
    rules = [{"field": f, "operator": o, "value": v} for f, o, v in items]
    return {"all": rules[:-1] if len(rules) > 2 else rules, "any": rules[-1:] if len(rules) > 2 else []}


def _actions(items: list[tuple]) -> list[dict]:
    return [{"field": f, "value": v} for f, v in items]


def build(cat: Catalog, seed: int) -> None:
    """Attach every list this module builds to the catalog."""
    rng = random.Random(seed * 31 + 1001)
    cat.automations = [automation(cat, rng, i) for i in range(len(AUTOMATIONS))]
    cat.triggers = [trigger(cat, rng, i) for i in range(len(TRIGGERS))]
    cat.custom_roles = [custom_role(cat, rng, i) for i in range(len(ROLES))]
    cat.schedules = [schedule(cat, rng, i) for i in range(len(SCHEDULES))]
    _before_the_first_ticket(cat)
    cat.custom_statuses = [custom_status(cat, i) for i in range(len(CUSTOM_STATUSES))]
    cat.routing_attributes, cat.routing_values = routing(cat, rng, seed)
    holidays.build(cat)
    cat.attribute_definitions = {
        "conditions_all": [{"subject": s, "title": t} for s, t in ROUTING_CONDITIONS],
        "conditions_any": [{"subject": s, "title": t} for s, t in ROUTING_CONDITIONS if s != "number_of_incidents"],
    }


def _stamped(cat: Catalog, record: dict, rng: random.Random, early: float, late: float) -> dict:
    created = cat._when(rng, early, late)
    updated = created if rng.random() < 0.3 else cat._when(rng, (created - cat.start) / (cat.end - cat.start), 1.0)
    return cat._stamp(record, created, updated)


def automation(cat: Catalog, rng: random.Random, i: int, record_id: int | None = None) -> dict:
    title, conditions, actions = AUTOMATIONS[i % len(AUTOMATIONS)]
    title = title if i < len(AUTOMATIONS) else f"{title} ({i // len(AUTOMATIONS) + 1})"
    aid = record_id or ids.AUTOMATION + i + 1
    return _stamped(cat, {
        "url": f"{cat.base}/automations/{aid}.json", "id": aid, "title": title, "raw_title": title,
        "active": i != 6, "position": i + 1, "default": i < 3, "conditions": _conditions(conditions),
        "actions": _actions(actions),
    }, rng, 0.0, 0.5)


def trigger(cat: Catalog, rng: random.Random, i: int, record_id: int | None = None) -> dict:
    title, category, conditions, actions = TRIGGERS[i % len(TRIGGERS)]
    title = title if i < len(TRIGGERS) else f"{title} ({i // len(TRIGGERS) + 1})"
    tid = record_id or ids.TRIGGER + i + 1
    return _stamped(cat, {
        "url": f"{cat.base}/triggers/{tid}.json", "id": tid, "title": title, "raw_title": title,
        "description": f"{title}.", "raw_description": f"{title}.", "active": i not in (7,), "position": i + 1,
        "default": i < 4, "category_id": TRIGGER_CATEGORIES[category], "conditions": _conditions(conditions),
        "actions": _actions(actions),
    }, rng, 0.0, 0.7)


def custom_role(cat: Catalog, rng: random.Random, i: int, record_id: int | None = None) -> dict:
    name, description, manage = ROLES[i % len(ROLES)]
    rid = record_id or ids.CUSTOM_ROLE + i + 1
    light = name == "Light agent"
    configuration = {
        "assign_tickets_to_any_group": manage, "chat_access": not light, "end_user_list_access": "full" if manage else "none",
        "end_user_profile_access": "full" if manage else "readonly", "explore_access": "edit" if manage else "readonly",
        "forum_access": "full", "forum_access_restricted_content": False, "group_access": manage, "light_agent": light,
        "macro_access": "full" if manage else "readonly", "manage_business_rules": manage,
        "manage_contextual_workspaces": False, "manage_dynamic_content": manage, "manage_extensions_and_channels": manage,
        "manage_facebook": False, "manage_organization_fields": manage, "manage_ticket_fields": manage,
        "manage_ticket_forms": manage, "manage_user_fields": manage, "moderate_forums": False,
        "organization_editing": manage, "organization_notes_editing": manage, "report_access": "full" if manage else "none",
        "side_conversation_create": not light, "ticket_access": "all" if manage else "within-groups",
        "ticket_comment_access": "private" if light else "public", "ticket_deletion": manage, "ticket_editing": not light,
        "ticket_merge": not light, "ticket_tag_editing": not light, "twitter_search_access": False,
        "user_view_access": "full" if manage else "readonly", "view_access": "full" if manage else "playonly",
        "view_deleted_tickets": manage, "voice_access": not light, "voice_dashboard_access": manage,
    }
    return _stamped(cat, {
        "id": rid, "name": name, "description": description, "role_type": 0,
        "team_member_count": 1 + int(rng.random() * 12), "configuration": configuration,
    }, rng, 0.0, 0.6)


def schedule(cat: Catalog, rng: random.Random, i: int, record_id: int | None = None) -> dict:
    """Intervals are minutes from Sunday 00:00; Monday to Friday, plus Saturday mornings for the first office."""
    name, zone, opens, closes = SCHEDULES[i % len(SCHEDULES)]
    sid = record_id or ids.SCHEDULE + i + 1
    days = range(1, 7 if i == 0 else 6)
    intervals = [{"start_time": d * 1440 + opens, "end_time": d * 1440 + (closes if d < 6 else opens + 240)} for d in days]
    return _stamped(cat, {"id": sid, "name": name if i < len(SCHEDULES) else f"{name} {i + 1}", "time_zone": zone,
                          "intervals": intervals}, rng, 0.0, 0.4)


def _before_the_first_ticket(cat: Catalog) -> None:
    """The generated schedules exist before any ticket, the first (the account's default) oldest: Zendesk's default
    is the schedule created first, and so is Fivetran's (`int_zendesk__ticket_schedules` takes the oldest
    `created_at`), whose business hours also start at a schedule's creation."""
    for i, record in enumerate(cat.schedules):
        created = cat.start - (len(cat.schedules) - i) * 7 * DAY
        record.update(created_at=iso(created), _created=created)


def custom_status(cat: Catalog, i: int, record_id: int | None = None) -> dict:
    category, agent, end_user, active, default = CUSTOM_STATUSES[i % len(CUSTOM_STATUSES)]
    sid = record_id or ids.CUSTOM_STATUS + i + 1
    description = f"{agent} ({category})"
    created = cat.start + (0 if default else 200 * DAY + i * DAY)
    updated = created + (0 if default else 45 * DAY)
    return cat._stamp({
        "url": f"{cat.base}/custom_statuses/{sid}.json", "id": sid, "status_category": category,
        "agent_label": agent, "raw_agent_label": agent, "end_user_label": end_user, "raw_end_user_label": end_user,
        "description": description, "raw_description": description,
        "end_user_description": f"Your request is {end_user.lower()}", "raw_end_user_description": f"Your request is {end_user.lower()}",
        "active": active, "default": default,
    }, created, updated)


def routing(cat: Catalog, rng: random.Random, seed: int) -> tuple[list[dict], list[dict]]:
    attributes, values = [], []
    for i, (name, names) in enumerate(ROUTING_ATTRIBUTES):
        attribute = _stamped(cat, {"id": stable_uuid(seed, "attribute", i), "name": name}, rng, 0.5, 0.8)
        attribute["url"] = f"{cat.base}/routing/attributes/{attribute['id']}.json"
        attributes.append(attribute)
        for j, value in enumerate(names):
            record = cat._stamp({"id": stable_uuid(seed, "attribute_value", i * 100 + j), "name": value,
                                 "attribute_id": attribute["id"]}, attribute["_created"], attribute["_updated"])
            record["url"] = f"{attribute['url'][:-5]}/values/{record['id']}.json"
            values.append(record)
    return attributes, values


def touch(record: dict, ts: int) -> None:
    record["updated_at"], record["_updated"] = iso(ts), ts
