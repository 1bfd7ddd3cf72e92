"""Ground truth of the configuration lists and the resources derived from the columns, named by the stream a
connector syncs them into. Each row holds the primary key and the cursor fields; every table is what its list
endpoint returns right now (deleted records are gone).

- organization_fields, user_fields, ticket_forms, brands, custom_roles, schedules, sla_policies, automations,
  triggers, account_attributes (routing attributes; UUID ids), custom_statuses: id, updated_at.
- attribute_definitions: subject, condition ("all" or "any"): the rows of both condition lists (no primary key).
- organization_memberships, satisfaction_ratings (the default list: offered, good and bad ratings of tickets that
  are not deleted), ticket_skips (deleted and archived tickets' left out), ticket_activities (those of the account
  owner, whose credentials the emulator issues): id, updated_at.
- audit_logs: id, created_at.
- user_identities: id, user_id, updated_at: what the user export's `include=identities` sideload returns from
  start_time=0 (every user's, deleted users' included).
- side_conversations: id, ticket_id, updated_at, of every ticket that is not deleted.
- schedule_holidays: every holiday of every schedule listed, whole (id, name, start_date, end_date) plus its
  schedule_id: holidays have no timestamps.
- the twelve Help Center and community streams (categories, sections, articles, article_attachments,
  article_comments, article_votes, article_comment_votes, topics, posts, post_comments, post_votes,
  post_comment_votes): every record whole, exactly as the API serves it (data/guide.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import agent_work, audit_log, guide, holidays, ids, org_memberships, ratings, side_conversations
from .dataset import Dataset
from .timefmt import iso


def _iso_all(ts: np.ndarray) -> list[str]:
    text = np.datetime_as_string(np.asarray(ts, dtype=np.int64).astype("datetime64[s]"), unit="s")
    return [t + "Z" for t in text.tolist()]


def _rows(records: list[dict]) -> list[dict]:
    return [{"id": r["id"], "updated_at": r["updated_at"]} for r in records if not r.get("_deleted")]


def _catalog(attr: str) -> Callable[[Dataset], list[dict]]:
    return lambda ds: _rows(getattr(ds.catalog, attr))


def _definitions(ds: Dataset) -> list[dict]:
    return [{"subject": d["subject"], "condition": name.split("_")[1]}
            for name in ("conditions_all", "conditions_any") for d in ds.catalog.attribute_definitions[name]]


def _memberships(ds: Dataset) -> list[dict]:
    t = org_memberships.table(ds)
    return [{"id": i, "updated_at": u} for i, u in zip(t.id.tolist(), _iso_all(t.updated), strict=True)]


def _ratings(ds: Dataset) -> list[dict]:
    chosen = ratings.listed(ds)
    updated = ratings.timeline(ds)[1][chosen]
    return [{"id": ids.RATING + i + 1, "updated_at": u} for i, u in zip(chosen.tolist(), _iso_all(updated), strict=True)]


def _skips(ds: Dataset) -> list[dict]:
    s = agent_work.skips(ds)
    cols = ds.tickets.cols
    keep = (cols.deleted[s.ticket] == 0) & (cols.archived[s.ticket] == 0)
    return [{"id": i, "updated_at": u} for i, u in zip(s.id[keep].tolist(), _iso_all(s.time[keep]), strict=True)]


def _activities(ds: Dataset) -> list[dict]:
    a = agent_work.activities(ds)
    mine = a.user == 0  # the account owner
    return [{"id": ids.ACTIVITY + r + 1, "updated_at": u} for r, u in zip(a.row[mine].tolist(), _iso_all(a.time[mine]), strict=True)]


def _audit_logs(ds: Dataset) -> list[dict]:
    times = audit_log.log(ds).time
    return [{"id": ids.AUDIT_LOG + r + 1, "created_at": c} for r, c in enumerate(_iso_all(times))]


def _identities(ds: Dataset) -> list[dict]:
    users = ds.users
    out = []
    for index in range(len(users)):
        uid, updated = users.user_id(index), iso(users.identity_times(index)[1])
        out.append({"id": ids.IDENTITY + index * 2 + 1, "user_id": uid, "updated_at": updated})
        if users.phone(index):
            out.append({"id": ids.IDENTITY + index * 2 + 2, "user_id": uid, "updated_at": updated})
    return out


TRUTHS: dict[str, Callable[[Dataset], list[dict]]] = {
    **{name: _catalog(name) for name in ("organization_fields", "user_fields", "ticket_forms", "brands", "custom_roles",
                                         "schedules", "sla_policies", "automations", "triggers", "custom_statuses")},
    "account_attributes": _catalog("routing_attributes"),
    "attribute_definitions": _definitions,
    "organization_memberships": _memberships,
    "satisfaction_ratings": _ratings,
    "ticket_skips": _skips,
    "ticket_activities": _activities,
    "audit_logs": _audit_logs,
    "user_identities": _identities,
    "side_conversations": side_conversations.truth_rows,
    "schedule_holidays": holidays.truth,
    **{stream: guide.truth(stream) for stream in guide.STREAMS},
}
