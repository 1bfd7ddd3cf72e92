"""Ground truth: what a complete sync of each table must contain right now. Each resource's declaration
(resources/) names its truth; the functions here build the rows of those whose records live in the columns and the
catalog (the others sit beside their data: ticket_events.py, metric_events.py, side_conversations.py, holidays.py,
guide.py, custom_fields.py...).

Each row holds the primary key (`id`, or `name` for tags) and the cursor fields. Records inside the export's
excluded last minute are included: a sync running now will not see them, but the next one must, so a comparison
should allow for them (they are exactly the rows stamped later than `now - 60`). Configuration lists hold what their
list endpoint returns now (deleted records are gone unless said otherwise).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import (
    agent_work,
    audit_log,
    ids,
    metric_events,
    org_memberships,
    ratings,
    ticket_events,
)
from .columns import CHANNELS, STATUSES
from .dataset import Dataset
from .order import INDEX_MASK
from .timefmt import iso

Truth = Callable[[Dataset], list[dict]]


def _iso_all(ts: np.ndarray) -> list[str]:
    text = np.datetime_as_string(np.asarray(ts, dtype=np.int64).astype("datetime64[s]"), unit="s")
    return [t + "Z" for t in text.tolist()]


def tickets(ds: Dataset) -> list[dict]:
    """Every ticket the incremental export returns from start_time=0, deleted ones (status "deleted") and
    archived ones included: id, generated_timestamp (int), updated_at, status and archived (so a comparison can tell
    which tickets a list endpoint leaves out), and via.channel."""
    cols = ds.tickets.cols
    statuses = np.where(cols.deleted == 1, len(STATUSES), cols.status).tolist()
    names = STATUSES + ("deleted",)
    return [{"id": i + 1, "generated_timestamp": g, "updated_at": u, "status": names[s], "archived": a == 1,
             "via": {"channel": CHANNELS[c]}}
            for i, (g, u, s, a, c) in enumerate(zip(cols.generated.tolist(), _iso_all(cols.updated), statuses,
                                                    cols.archived.tolist(), cols.channel.tolist(), strict=True))]


def users(ds: Dataset) -> list[dict]:
    """Every user, deleted ones (active: false) included: id, updated_at."""
    return [{"id": ids.USER + i + 1, "updated_at": u} for i, u in enumerate(_iso_all(ds.users.cols.updated))]


def organizations(ds: Dataset) -> list[dict]:
    """Every organization, deleted ones (deleted_at set) included: id, updated_at."""
    return [{"id": ids.ORGANIZATION + i + 1, "updated_at": u} for i, u in enumerate(_iso_all(ds.orgs.cols.updated))]


def listed(attr: str) -> Truth:
    """A catalog list whose deleted records the catalog no longer holds (groups: flagged, kept)."""
    return lambda ds: [{"id": r["id"], "updated_at": r["updated_at"]} for r in getattr(ds.catalog, attr)]


def live(attr: str) -> Truth:
    """A catalog list without the records deleted through mutations (flagged `_deleted`)."""
    return lambda ds: [{"id": r["id"], "updated_at": r["updated_at"]} for r in getattr(ds.catalog, attr)
                       if not r.get("_deleted")]


def tags(ds: Dataset) -> list[dict]:
    """What tags.json lists: name, count."""
    return [{"name": name, "count": n} for name, n in sorted(ds.tag_counts().items())]


def metric_sets(archived: bool) -> Truth:
    """The metric sets /ticket_metrics lists (`archived` False: those of tickets neither archived nor deleted), or
    those of every ticket not deleted, as the export's `include=metric_sets` or per-ticket reads give them: id,
    ticket_id, updated_at."""
    def rows(ds: Dataset) -> list[dict]:
        cols = ds.tickets.cols
        listable = np.flatnonzero(cols.deleted == 0) if archived else ds.listable_tickets()
        return [{"id": ids.METRIC + i + 1, "ticket_id": i + 1, "updated_at": u}
                for i, u in zip(listable.tolist(), _iso_all(ds.tickets.cols.updated[listable]), strict=True)]
    return rows


def audits(view: str) -> Truth:
    """The audits of a dataset view: ticket_audits (what /ticket_audits lists: those of tickets neither archived nor
    deleted) or ticket_audits_all (every ticket's not deleted, as per-ticket audits give them): id, ticket_id,
    created_at."""
    def rows(ds: Dataset) -> list[dict]:
        keys = ds.view(view).keys
        at = (keys & np.uint64(INDEX_MASK)).astype(np.int64)
        base = at < ds.audits.base_rows
        owners = np.where(base, ds.audits.owner[np.where(base, at, 0)], 0).tolist()
        for k in np.flatnonzero(~base).tolist():
            owners[k] = ds.audits.ticket_of(int(at[k]))
        return [{"id": ids.AUDIT + r + 1, "ticket_id": o + 1, "created_at": c}
                for r, o, c in zip(at.tolist(), owners, _iso_all(keys >> np.uint64(32)), strict=True)]
    return rows


def ticket_event_rows(ds: Dataset) -> list[dict]:
    """Every event the ticket event export returns from start_time=0, one per audit, archived and
    deleted tickets included: id (the audit's), ticket_id, timestamp (int), created_at."""
    return ticket_events.truth_events(ds, _iso_all)


def ticket_comments(ds: Dataset) -> list[dict]:
    """The Comment children of the ticket event export with `include=comment_events`: id (the
    comment's), ticket_id, created_at."""
    return ticket_events.truth_comments(ds, _iso_all)


def ticket_metric_events(ds: Dataset) -> list[dict]:
    """Every event of the metric event export, deleted tickets' included: id, ticket_id, time."""
    return metric_events.truth(ds, _iso_all)


def attribute_definitions(ds: Dataset) -> list[dict]:
    """The rows of both condition lists (no primary key): subject, condition ("all" or "any")."""
    return [{"subject": d["subject"], "condition": name.split("_")[1]}
            for name in ("conditions_all", "conditions_any") for d in ds.catalog.attribute_definitions[name]]


def organization_memberships(ds: Dataset) -> list[dict]:
    """id, updated_at."""
    t = org_memberships.table(ds)
    return [{"id": i, "updated_at": u} for i, u in zip(t.id.tolist(), _iso_all(t.updated), strict=True)]


def satisfaction_ratings(ds: Dataset) -> list[dict]:
    """The default list: offered, good and bad ratings of tickets that are not deleted; id,
    updated_at."""
    chosen = ratings.listed(ds)
    updated = ratings.timeline(ds)[1][chosen]
    return [{"id": ids.RATING + i + 1, "updated_at": u} for i, u in zip(chosen.tolist(), _iso_all(updated), strict=True)]


def ticket_skips(ds: Dataset) -> list[dict]:
    """Skips of tickets neither deleted nor archived: id, updated_at."""
    s = agent_work.skips(ds)
    cols = ds.tickets.cols
    keep = (cols.deleted[s.ticket] == 0) & (cols.archived[s.ticket] == 0)
    return [{"id": i, "updated_at": u} for i, u in zip(s.id[keep].tolist(), _iso_all(s.time[keep]), strict=True)]


def ticket_activities(ds: Dataset) -> list[dict]:
    """The account owner's (whose credentials the emulator issues): id, updated_at."""
    a = agent_work.activities(ds)
    mine = a.user == 0  # the account owner
    return [{"id": ids.ACTIVITY + r + 1, "updated_at": u} for r, u in zip(a.row[mine].tolist(), _iso_all(a.time[mine]), strict=True)]


def audit_logs(ds: Dataset) -> list[dict]:
    """id, created_at."""
    times = audit_log.log(ds).time
    return [{"id": ids.AUDIT_LOG + r + 1, "created_at": c} for r, c in enumerate(_iso_all(times))]


def user_identities(ds: Dataset) -> list[dict]:
    """What the user export's `include=identities` sideload returns from start_time=0, every user's
    (deleted users' included): id, user_id, updated_at."""
    users = ds.users
    out = []
    for index in range(len(users)):
        uid, updated = users.user_id(index), iso(users.identity_times(index)[1])
        out.append({"id": ids.IDENTITY + index * 2 + 1, "user_id": uid, "updated_at": updated})
        if users.phone(index):
            out.append({"id": ids.IDENTITY + index * 2 + 2, "user_id": uid, "updated_at": updated})
    return out
