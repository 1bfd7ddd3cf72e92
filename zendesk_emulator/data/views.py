"""Views: Zendesk's default views and a few an account adds (shared, restricted to a group, one personal view of the
account owner), each with conditions and how it shows its tickets (`execution`: columns, grouping, sorting; one
custom field column). Built with the catalog from a random stream of their own, so adding them changed nothing else.
Mutations (mutate_more.py): create, update (retitled, sometimes `active` flipped), delete (gone from the list).
https://developer.zendesk.com/api-reference/ticketing/business-rules/views/
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from . import ids

if TYPE_CHECKING:
    from .catalog import Catalog

# (title, conditions (field, operator, value), group by, sort by, restriction: None, "group" or "owner")
VIEWS = (
    ("Your unsolved tickets", [("status", "less_than", "solved"), ("assignee_id", "is", "current_user")], "status", "updated", None),
    ("Unassigned tickets", [("assignee_id", "is", ""), ("status", "less_than", "solved")], None, "created", None),
    ("All unsolved tickets", [("status", "less_than", "solved")], "status", "updated", None),
    ("Recently updated tickets", [("updated_at", "less_than", "24"), ("status", "less_than", "closed")], None, "updated", None),
    ("New tickets in your groups", [("status", "is", "new"), ("group_id", "is", "current_groups")], None, "created", None),
    ("Pending tickets", [("status", "is", "pending")], "assignee", "updated", None),
    ("Recently solved tickets", [("status", "is", "solved"), ("SOLVED", "less_than", "168")], None, "solved", None),
    ("Urgent and high priority", [("status", "less_than", "solved"), ("priority", "is", "urgent"), ("priority", "is", "high")],
     "priority", "created", None),
    ("Escalations, tier 2", [("current_tags", "includes", "escalated"), ("status", "less_than", "solved")], None, "updated", "group"),
    ("Waiting on customer > 3 days", [("status", "is", "pending"), ("PENDING", "greater_than", "72")], None, "updated", None),
    ("VIP requesters", [("current_tags", "includes", "vip"), ("status", "less_than", "solved")], "group", "priority", None),
    ("My follow-ups", [("assignee_id", "is", "current_user"), ("current_tags", "includes", "follow_up")], None, "updated", "owner"),
)
COLUMN_TITLES = {"score": "Score", "subject": "Subject", "requester": "Requester", "created": "Requested",
                 "updated": "Updated", "assignee": "Assignee", "group": "Group", "status": "Status",
                 "priority": "Priority", "solved": "Solved"}
DEFAULT_VIEWS = 7  # the first ones are Zendesk's defaults


def build(cat: Catalog, seed: int) -> None:
    rng = random.Random(seed * 31 + 2002)
    cat.views = [view(cat, rng, i) for i in range(len(VIEWS))]


def _ordering(column: str | None, order: str) -> dict | None:
    return {"id": column, "title": COLUMN_TITLES[column], "order": order} if column else None


def view(cat: Catalog, rng: random.Random, i: int, record_id: int | None = None) -> dict:
    title, conditions, group_by, sort_by, restricted = VIEWS[i % len(VIEWS)]
    title = title if i < len(VIEWS) else f"{title} ({i // len(VIEWS) + 1})"
    vid = record_id or ids.VIEW + i + 1
    rules = [{"field": f, "operator": o, "value": v} for f, o, v in conditions]
    priorities = [r for r in rules if r["field"] == "priority"]
    fields = [{"id": c, "title": COLUMN_TITLES[c]} for c in ("score", "subject", "requester", sort_by, "assignee")
              if c in COLUMN_TITLES][:5]
    fields = list({f["id"]: f for f in fields}.values())
    custom = [{"id": f["id"], "title": f["title"], "type": f["type"], "url": f["url"]}
              for f in cat.ticket_fields if f.get("type") == "tagger"][:1] if i % 2 == 0 else []
    groups = [g["id"] for g in cat.groups if not g["deleted"]]
    restriction = None
    if restricted == "group" and groups:
        chosen = groups[: 1 + int(rng.random() * min(2, len(groups)))]
        restriction = {"type": "Group", "id": chosen[0], "ids": chosen}
    elif restricted == "owner":
        restriction = {"type": "User", "id": ids.USER + 1}
    sort_order = "asc" if sort_by == "created" else "desc"
    early = 0.0 if i < DEFAULT_VIEWS else 0.3
    created = cat._when(rng, early, early + 0.3)
    updated = created if rng.random() < 0.4 else cat._when(rng, (created - cat.start) / (cat.end - cat.start), 1.0)
    return cat._stamp({
        "url": f"{cat.base}/views/{vid}.json", "id": vid, "title": title, "raw_title": title,
        "description": f"{title}." if i >= DEFAULT_VIEWS else None, "active": i not in (9,), "position": i,
        "default": i < DEFAULT_VIEWS, "restriction": restriction,
        "conditions": {"all": [r for r in rules if r not in priorities], "any": priorities},
        "execution": {"group_by": group_by, "group_order": "asc" if group_by else None, "sort_by": sort_by,
                      "sort_order": sort_order, "group": _ordering(group_by, "asc"), "sort": _ordering(sort_by, sort_order),
                      "columns": fields + custom, "fields": fields, "custom_fields": custom},
    }, created, updated)
