"""Ground truth: what a complete sync of each table must contain right now.

Each row holds the primary key (`id`, or `name` for tags) and the cursor fields. Records inside the export's
excluded last minute are included: a sync running now will not see them, but the next one must, so a comparison
should allow for them (they are exactly the rows stamped later than `now - 60`).

- tickets: every ticket the incremental export returns from start_time=0: deleted ones (status "deleted") and
  archived ones included. Fields: id, generated_timestamp (int), updated_at, plus status and archived (bool) so a
  comparison can tell which tickets a list endpoint leaves out.
- users: every user, deleted ones (active: false) included. id, updated_at.
- organizations: every organization, deleted ones (deleted_at set) included. id, updated_at.
- groups: every group, deleted ones (deleted: true, listed only with exclude_deleted=false) included. id, updated_at.
- group_memberships, macros, ticket_fields: what their list endpoints return (deleted ones are gone). id, updated_at.
- tags: what tags.json lists. name, count.
- ticket_metrics: the metric sets /ticket_metrics lists: those of tickets neither archived nor deleted.
  id, ticket_id, updated_at.
- ticket_audits: the audits /ticket_audits lists: those of tickets neither archived nor deleted (per-ticket
  audits of archived tickets exist but are not in this table). id, ticket_id, created_at.
- ticket_metrics_all, ticket_audits_all: the same for every ticket that is not deleted, archived ones included:
  what a client gets that reads metric sets from the export's `include=metric_sets` or audits per ticket
  (`tickets/{id}/audits.json`), as singer's tap-zendesk does.
- ticket_events: every event the ticket event export returns from start_time=0, one per audit, archived and deleted
  tickets included. id (the audit's), ticket_id, timestamp (int), created_at.
- ticket_comments: the Comment children of that export with `include=comment_events`. id (the comment's), ticket_id,
  created_at.
- ticket_metric_events: every event of the metric event export (deleted tickets' included). id, ticket_id, time.
- ticket_sla_policies: the apply_sla events of that export: id, ticket_id, time, metric, instance_id, sla_policy_id,
  sla_policy_title, target, business_hours.
- ticket_schedules: the Create or Change children of the ticket event export that set a ticket's schedule: id (the
  child's), ticket_id, schedule_id, previous_schedule_id, created_at, event_type, parent_event_id, updater_id,
  via_reference_id (the trigger).
- ticket_field_history: one row per field a Create or Change child of the ticket event export sets: id
  (`<child id>:<field name>`), event_id (the child's), parent_event_id (the ticket event's), ticket_id, field_name,
  value, previous_value (null on Create), updated, user_id. It generates every audit, so it costs seconds per 100,000
  tickets.
"""

from __future__ import annotations

import numpy as np

from . import ids, metric_events, ticket_events
from .columns import STATUSES
from .dataset import Dataset
from .order import INDEX_MASK
from .truth_catalog import TRUTHS


def _iso_all(ts: np.ndarray) -> list[str]:
    text = np.datetime_as_string(np.asarray(ts, dtype=np.int64).astype("datetime64[s]"), unit="s")
    return [t + "Z" for t in text.tolist()]


def _catalog_rows(records: list[dict]) -> list[dict]:
    return [{"id": r["id"], "updated_at": r["updated_at"]} for r in records]


def truth(ds: Dataset, resource: str) -> list[dict]:
    if resource == "tickets":
        cols = ds.tickets.cols
        statuses = np.where(cols.deleted == 1, len(STATUSES), cols.status).tolist()
        names = STATUSES + ("deleted",)
        return [{"id": i + 1, "generated_timestamp": g, "updated_at": u, "status": names[s], "archived": a == 1}
                for i, (g, u, s, a) in enumerate(zip(cols.generated.tolist(), _iso_all(cols.updated), statuses,
                                                     cols.archived.tolist(), strict=True))]
    if resource == "users":
        return [{"id": ids.USER + i + 1, "updated_at": u} for i, u in enumerate(_iso_all(ds.users.cols.updated))]
    if resource == "organizations":
        return [{"id": ids.ORGANIZATION + i + 1, "updated_at": u} for i, u in enumerate(_iso_all(ds.orgs.cols.updated))]
    if resource == "groups":
        return _catalog_rows(ds.catalog.groups)
    if resource == "group_memberships":
        return _catalog_rows(ds.catalog.memberships)
    if resource == "macros":
        return _catalog_rows(ds.catalog.macros)
    if resource == "ticket_fields":
        return _catalog_rows(ds.catalog.ticket_fields)
    if resource == "tags":
        return [{"name": name, "count": n} for name, n in sorted(ds.tag_counts().items())]
    if resource in ("ticket_metrics", "ticket_metrics_all"):
        cols = ds.tickets.cols
        listable = ds.listable_tickets() if resource == "ticket_metrics" else np.flatnonzero(cols.deleted == 0)
        return [{"id": ids.METRIC + i + 1, "ticket_id": i + 1, "updated_at": u}
                for i, u in zip(listable.tolist(), _iso_all(ds.tickets.cols.updated[listable]), strict=True)]
    if resource in ("ticket_audits", "ticket_audits_all"):
        keys = ds.view(resource).keys
        rows = (keys & np.uint64(INDEX_MASK)).astype(np.int64)
        base = rows < ds.audits.base_rows
        owners = np.where(base, ds.audits.owner[np.where(base, rows, 0)], 0).tolist()
        for k in np.flatnonzero(~base).tolist():
            owners[k] = ds.audits.ticket_of(int(rows[k]))
        return [{"id": ids.AUDIT + r + 1, "ticket_id": o + 1, "created_at": c}
                for r, o, c in zip(rows.tolist(), owners, _iso_all(keys >> np.uint64(32)), strict=True)]
    if resource == "ticket_events":
        return ticket_events.truth_events(ds, _iso_all)
    if resource == "ticket_comments":
        return ticket_events.truth_comments(ds, _iso_all)
    if resource == "ticket_field_history":
        return ticket_events.truth_field_history(ds)
    if resource == "ticket_metric_events":
        return metric_events.truth(ds, _iso_all)
    if resource == "ticket_sla_policies":
        return metric_events.truth_sla_policies(ds)
    if resource == "ticket_schedules":
        return ticket_events.truth_ticket_schedules(ds)
    if resource in TRUTHS:  # configuration lists and resources derived from the columns (truth_catalog.py)
        return TRUTHS[resource](ds)
    raise KeyError(f"unknown resource {resource!r}")

