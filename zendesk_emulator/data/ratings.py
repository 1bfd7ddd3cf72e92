"""Satisfaction ratings: one per ticket that was surveyed (score offered, good or bad), id RATING + ticket index + 1,
the id the ticket's own `satisfaction_rating` shows.

Timeline, from the ticket as generated (so a later update of the ticket moves neither timestamp): the ticket is
solved (its update time, or four days before it closed), the survey goes out up to a day later (`created_at`, score
"offered"), and a customer who answers does so before the ticket closes (`updated_at`; equal to `created_at` while
the rating is only offered).
"""

from __future__ import annotations

import numpy as np

from . import ids
from .columns import CLOSED, DAY
from .dataset import Dataset
from .derive import base_column, unit
from .timefmt import iso

OFFERED, GOOD, BAD = 2, 3, 4
RATED = (OFFERED, GOOD, BAD)


def timeline(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(created_at, updated_at) of the rating of every ticket index (meaningful where the score is 2, 3 or 4)."""
    return ds.cached("#ratings.timeline", lambda: _timeline(ds))


def _timeline(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    cols = ds.tickets.cols
    status, updated = base_column(ds, "status"), base_column(ds, "updated")
    created = cols.created
    closed = status == CLOSED
    solved = np.where(closed, np.maximum(created, updated - 4 * DAY), updated)
    window_end = np.where(closed, updated, np.maximum(updated, ds.catalog.end))
    offered = solved + np.minimum(DAY, (window_end - solved) // 2)
    index = np.arange(len(created))
    answered = np.isin(cols.score, (GOOD, BAD))
    rated = offered + ((window_end - offered) * (0.05 + 0.9 * unit(ds.seed, 71, index))).astype(np.int64)
    return offered, np.where(answered, rated, offered)


def has_comment(ds: Dataset) -> np.ndarray:
    """Whether each ticket's rating carries a comment (the same arithmetic `Tickets.rating` picks the comment with)."""
    index = np.arange(len(ds.tickets.cols.score), dtype=np.int64)
    h = ((index + 1) * 2654435761 + ds.seed * 40503) >> 3
    good = ds.tickets.cols.score == GOOD
    return np.where(good, h % 5 != 3, h % 4 != 3)


def listed(ds: Dataset) -> np.ndarray:
    """Ticket indexes whose rating the list shows by default: surveyed, ticket not deleted."""
    cols = ds.tickets.cols
    return np.flatnonzero((cols.deleted == 0) & np.isin(cols.score, RATED))


def record(ds: Dataset, index: int) -> dict:
    t = ds.tickets
    cols = t.cols
    rating = t.rating(index) or {"score": "offered"}
    created, updated = timeline(ds)
    rid = ids.RATING + index + 1
    assignee, group = int(cols.assignee[index]), int(cols.group[index])
    return {"url": f"{t.base}/satisfaction_ratings/{rid}.json", "id": rid,
            "assignee_id": ids.USER + assignee + 1 if assignee >= 0 else None,
            "group_id": t.group_ids[group] if group >= 0 else None,
            "requester_id": ids.USER + int(cols.requester[index]) + 1, "ticket_id": index + 1,
            "score": rating["score"], "created_at": iso(int(created[index])), "updated_at": iso(int(updated[index])),
            "comment": rating.get("comment"), "reason": rating.get("reason"), "reason_id": rating.get("reason_id")}
