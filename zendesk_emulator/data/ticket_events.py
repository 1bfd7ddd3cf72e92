"""Ticket events, as the incremental ticket event export shows them: the ticket audits seen from another side.

There is one history. Each audit (generated in `audits.py`, or stored whole when a mutation made it) is one ticket
event with the audit's id, ticket, time and author, so the export and `/ticket_audits` never disagree:

    {"id": <audit id>, "ticket_id", "timestamp": <unix>, "created_at", "updater_id": <author_id>,
     "via": "Web form", "system": {client, ip_address, location, latitude, longitude}, "metadata": {system, custom},
     "event_type": "Audit", "child_events": [...]}

Each audit event becomes a child `{"id", "via", "via_reference_id", ..., "event_type"}` (Zendesk: "Each event is tied to
an update on a ticket and contains all the fields that were updated in that change"):

- Create and Change children carry the field under its own name (`"status": "open"`), custom fields as
  `"custom_ticket_fields": {"<field id>": value}`, tags as `tags` plus `added_tags`/`removed_tags`; a Change child
  also carries `previous_value`. Values are the audit's values unchanged (ids as strings, as audits send them).
- A Comment child is `comment_present`/`comment_public` only, unless `include=comment_events` asks for the comment:
  then it is the comment itself (`type`, `author_id`, `body`, `html_body`, `plain_body`, `public`, `attachments`,
  `audit_id`, `created_at`) with the via object, as in Zendesk's sideload example.
- Other children (Notification, SatisfactionRating, AgentMacroReference) keep their own fields.

`via` is a string here, not the audit's object; the names are ours where Zendesk's docs give none (see
`VIA_NAMES`). Events of archived and of deleted tickets stay in the stream: they happened, and nothing in Zendesk's
docs says the export drops them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import catalog_rules, ids
from .dataset import Dataset
from .order import INDEX_MASK, View
from .serial import dumps

VIA_NAMES = {"web": "Web form", "email": "Email", "api": "Web service", "mobile": "Mobile", "chat": "Chat",
             "voice": "Phone call (incoming)", "native_messaging": "Messaging", "facebook": "Facebook post", "rule": "Rule"}
_COMMENT_FIELDS = ("author_id", "body", "html_body", "plain_body", "public", "attachments", "audit_id")
CHANGE_KINDS = ("Create", "Change")


def view(ds: Dataset) -> View:
    """Every audit row, oldest first (ties by row, i.e. by id): keys `created_at << 32 | row`."""
    return ds.cached("#ticket_events", lambda: View(ds.audits.time_keys()))


def via_name(via: dict) -> str:
    channel: Any = via.get("channel")
    return VIA_NAMES.get(channel, str(channel).replace("_", " ").capitalize())


def via_reference(via: dict) -> int | None:
    """The rule behind a trigger or automation (Zendesk's `via_reference_id`), else None."""
    if via.get("channel") != "rule":
        return None
    return (via.get("source") or {}).get("from", {}).get("id")


def _child(event: dict, audit: dict, audit_via: tuple[str, int | None], with_comment: bool) -> dict:
    """`audit_via`: the audit's via as (name, reference), worked out once for all children without a via of their own."""
    own = event.get("via")
    kind = event["type"]
    if kind == "Comment" and with_comment:
        via = own or audit["via"]
        comment = {"id": event["id"], "via": via, "via_reference_id": via_reference(via), "type": "Comment"}
        comment.update((name, event.get(name)) for name in _COMMENT_FIELDS)
        comment["created_at"] = audit["created_at"]
        comment["event_type"] = "Comment"
        return comment
    name, reference = (via_name(own), via_reference(own)) if own else audit_via
    child = {"id": event["id"], "via": name, "via_reference_id": reference}
    if kind == "Comment":
        child["comment_present"] = True
        child["comment_public"] = event["public"]
    elif kind in CHANGE_KINDS:
        field, value = event["field_name"], event["value"]
        if field == "tags":
            before = event.get("previous_value") or []
            child["tags"] = value
            child["added_tags"] = [t for t in value if t not in before]
            child["removed_tags"] = [t for t in before if t not in value]
        elif field.isdigit():
            child["custom_ticket_fields"] = {field: value}
        else:
            child[field] = value
        if kind == "Change":
            child["previous_value"] = event["previous_value"]
    else:
        child.update((k, v) for k, v in event.items() if k not in ("id", "type", "via"))
    child["event_type"] = kind
    return child


def ticket_event(ds: Dataset, row: int, with_comments: bool) -> dict:
    audit = ds.audits.audit(row)
    via = audit["via"]
    names = (via_name(via), via_reference(via))
    return {
        "id": audit["id"],
        "ticket_id": audit["ticket_id"],
        "timestamp": int(ds.audits.time_of(row)),
        "created_at": audit["created_at"],
        "updater_id": audit["author_id"],
        "via": names[0],
        "system": audit["metadata"]["system"],
        "metadata": audit["metadata"],
        "event_type": "Audit",
        "child_events": [_child(e, audit, names, with_comments) for e in audit["events"]],
    }


def event_bytes(ds: Dataset, row: int, with_comments: bool) -> bytes:
    """Serialised and cached: an audit never changes once made (only a ticket field change, `schema`, reshapes
    the Create events of generated audits)."""
    key = ("ticket_event", row, with_comments, ds.schema)
    data = ds.cache.get(key)
    if data is None:
        data = ds.cache.put(key, dumps(ticket_event(ds, row, with_comments)))
    return data


# -- ground truth ------------------------------------------------------------------------------------------------------
def _owners(ds: Dataset, rows: np.ndarray) -> np.ndarray:
    audits = ds.audits
    base = rows < audits.base_rows
    owners = np.zeros(len(rows), dtype=np.int64)
    owners[base] = audits.owner[rows[base]]
    for k in np.flatnonzero(~base).tolist():
        owners[k] = audits.ticket_of(int(rows[k]))
    return owners


def _rows_and_times(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    keys = view(ds).keys
    return (keys & np.uint64(INDEX_MASK)).astype(np.int64), (keys >> np.uint64(32)).astype(np.int64)


def truth_events(ds: Dataset, iso_all) -> list[dict]:
    rows, times = _rows_and_times(ds)
    owners = _owners(ds, rows)
    return [{"id": ids.AUDIT + r + 1, "ticket_id": o + 1, "timestamp": t, "created_at": c}
            for r, o, t, c in zip(rows.tolist(), owners.tolist(), times.tolist(), iso_all(times), strict=True)]


def truth_comments(ds: Dataset, iso_all) -> list[dict]:
    """The Comment children a reader of the export with `include=comment_events` keeps: every generated audit has its
    comment first, except the automation's closing audits; a mutation's audits are stored with theirs."""
    rows, times = _rows_and_times(ds)
    audits = ds.audits
    base = rows < audits.base_rows
    keep = base & ~np.isin(rows, audits.closing_rows())
    comment_ids = np.where(keep, ids.EVENT + rows * ids.EVENTS_PER_AUDIT, 0)
    for k in np.flatnonzero(~base).tolist():
        found = [e["id"] for e in audits.extra[int(rows[k]) - audits.base_rows]["events"] if e["type"] == "Comment"]
        if found:
            keep[k], comment_ids[k] = True, found[0]
    owners = _owners(ds, rows[keep])
    return [{"id": i, "ticket_id": o + 1, "created_at": c}
            for i, o, c in zip(comment_ids[keep].tolist(), owners.tolist(), iso_all(times[keep]), strict=True)]


def truth_field_history(ds: Dataset) -> list[dict]:
    """One row per field a Create or Change child sets (each sets one here): what a reader replaying field changes
    from the export keeps. `id` is `<child id>:<field name>` (a child may set several custom fields in Zendesk),
    `event_id` the child's id, `parent_event_id` the ticket event's (the audit's). Generates every audit: seconds per
    100,000 tickets."""
    rows, _ = _rows_and_times(ds)
    out = []
    for row in rows.tolist():
        audit = ds.audits.audit(row)
        for event in audit["events"]:
            if event["type"] in CHANGE_KINDS:
                out.append({"id": f"{event['id']}:{event['field_name']}", "event_id": event["id"],
                            "parent_event_id": audit["id"], "ticket_id": audit["ticket_id"],
                            "field_name": event["field_name"], "value": event["value"],
                            "previous_value": event.get("previous_value"), "updated": audit["created_at"],
                            "user_id": audit["author_id"]})
    return out


def truth_ticket_schedules(ds: Dataset) -> list[dict]:
    """One row per Create or Change child that sets a ticket's schedule (a trigger's "Set schedule" on creation):
    what the connector's `ticket_schedules` derives from the export. Only the tickets a schedule trigger matched are
    generated (`catalog_rules.schedule_index`); audits mutations stored are scanned whole."""
    audits, cols = ds.audits, ds.tickets.cols
    n = audits.base_tickets
    chosen = np.flatnonzero(catalog_rules.schedule_index(cols.brand[:n], cols.form[:n]) != 0)
    rows = audits.offsets[chosen].tolist() + [audits.base_rows + i for i in range(len(audits.extra))]
    out = []
    for row in rows:
        audit = audits.audit(row)
        for event in audit["events"]:
            if event["type"] in CHANGE_KINDS and event["field_name"] == "schedule_id":
                previous = event.get("previous_value")
                out.append({"id": event["id"], "ticket_id": audit["ticket_id"], "schedule_id": int(event["value"]),
                            "previous_schedule_id": int(previous) if previous else None,
                            "created_at": audit["created_at"], "event_type": event["type"],
                            "parent_event_id": audit["id"], "updater_id": audit["author_id"],
                            "via_reference_id": via_reference(event.get("via") or audit["via"])})
    return out
