"""What each generated audit does, decided for every ticket at once: the ticket's status after it, who wrote it, and
whether its comment is public. `audits.py` writes an audit's events from this plan and `metrics.py` computes the
ticket's metrics from it, so the two can never disagree.

Per ticket with k audits and base status F (what the ticket shows as generated):

- audit 0 is the Create, by the requester, with a public comment; the status is "new" (F if it is the only audit);
- a closed ticket's last audit is the automation's close (no comment), the one before it the solve;
- between them the agent (odd ranks) and the requester (even ranks) take turns, each with a comment: an agent sets
  open, pending, on-hold or solved (a solving reply is always public, other agent comments are public three times
  in four); a requester's comment reopens a pending or solved ticket (open) and leaves the others as they were;
- the last human audit sets F (solved for a closed ticket), written by an agent unless F is new or open;
- a ticket still new has only its requester's comments: no agent touched it.

Agent turns may solve a ticket that a requester then reopens, so tickets have reopens and first and full resolutions
that differ. Draws come from one column stream per account (`column_rng(seed, KIND_AUDIT + 300)`), two per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .columns import CLOSED, HOLD, NEW, OPEN, PENDING, SOLVED
from .rng import KIND_AUDIT, column_rng

# An agent's status draw: open, pending, on-hold, solved.
_AGENT_STATUSES = np.array([OPEN, PENDING, HOLD, SOLVED], dtype=np.uint8)
_AGENT_SHARES = (0.4, 0.7, 0.8)
# A requester's comment after each status (indexed by status code): pending and solved reopen.
_AFTER_REQUESTER = np.array([NEW, OPEN, OPEN, HOLD, OPEN, CLOSED], dtype=np.uint8)
PUBLIC_AGENT_SHARE = 0.75


@dataclass
class Plan:
    status: np.ndarray  # uint8, the ticket's status after each base audit row
    agent: np.ndarray  # bool, the row is an agent's update
    public: np.ndarray  # bool, its comment is public (the automation's close has no comment)
    automated: np.ndarray  # bool, the automation's closing audit


def plan(seed: int, final: np.ndarray, offsets: np.ndarray) -> Plan:
    """`final`: each ticket's base status; `offsets`: its audit rows are offsets[i]..offsets[i+1]."""
    n = len(final)
    counts = np.diff(offsets[: n + 1])
    rows = int(offsets[n])
    owner = np.repeat(np.arange(n), counts)
    rank = np.arange(rows) - offsets[owner]
    k, f = counts[owner], final[owner]
    closed = f == CLOSED
    human = k - closed
    automated = closed & (rank == k - 1)
    last = (rank == human - 1) & ~automated
    rng = column_rng(seed, KIND_AUDIT + 300)
    draw, publish = rng.random(rows), rng.random(rows)
    agent = (f != NEW) & (rank >= 1) & ~automated & (
        (rank % 2 == 1) | (last & np.isin(f, (PENDING, HOLD, SOLVED, CLOSED))))
    drawn = _AGENT_STATUSES[np.digitize(draw, _AGENT_SHARES)]
    # A requester's row follows the agent's row before it (the turns alternate until the last human row).
    status = np.where(agent, drawn, _AFTER_REQUESTER[np.roll(drawn, 1)]).astype(np.uint8)
    status = np.where(rank == 0, np.where(human > 1, NEW, f), status)
    status = np.where(last & (human > 1), np.where(closed, SOLVED, f), status)
    status = np.where(automated, CLOSED, status)
    status = np.where(f == NEW, NEW, status).astype(np.uint8)
    public = (~agent | (status == SOLVED) | (publish < PUBLIC_AGENT_SHARE)) & ~automated
    return Plan(status, agent, public, automated)
