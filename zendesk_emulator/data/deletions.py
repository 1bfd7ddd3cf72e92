"""What Zendesk keeps of deleted records and of the emails it held back: deleted tickets, deleted users and the
suspended-ticket queue, derived from the ticket and user columns so that they agree with every other resource.

- deleted_tickets: the tickets deleted (soft-deleted) in the 30 days before the account's now (`as_of`) and not yet
  scrubbed, in ticket id order (Zendesk: "chronologically by created date"); a ticket deleted earlier has been
  scrubbed and is gone from this list (the ticket export keeps its `status: "deleted"` row, as before). Its
  `deleted_at` is the deletion's time (the ticket's `updated_at`: deleting moves it), `previous_state` the status it
  had, `actor` the agent who deleted it. Archived tickets are never deleted here. Mutations: create=n deletes n live
  tickets (exactly as `mutate("tickets", delete=n)`), delete=n scrubs n listed ones at once (gone from the list);
  restoring is not emulated (a restored ticket's audits, skips and side conversations would come back with their
  old times, which no list-filtering client can see).
- deleted_users: every deleted user (`active: false`), in id order, as the user export serves it. Mutations:
  create=n deletes n end-users (as `mutate("users", delete=n)`), delete=n permanently deletes n of them: name
  "Permanently Deleted User", email, phone and other personal data null, `updated_at` now; the user export shows
  them so too. Zendesk's own scrub of soft-deleted users after 30 days is not emulated.
- suspended_tickets: emails held back in the 14 days before `as_of` (Zendesk deletes unreviewed ones after 14 days):
  one per 250 tickets (at least 4), causes drawn from Zendesk's cause-of-suspension reference, an update to an
  existing ticket naming it (`ticket_id`). Id SUSPENDED + serial. Mutations: create=n (new suspensions now),
  delete=n (recovered or deleted: gone from the queue); a suspended email is never edited.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import ids
from .columns import DAY, STATUSES
from .dataset import Dataset
from .derive import state, unit1
from .mutations import TicketWork
from .timefmt import iso

if TYPE_CHECKING:
    from ..resources.declaration import Change

SCRUB_AFTER = 30 * DAY
SUSPENDED_KEPT = 14 * DAY
# (cause_id, cause, share): https://developer.zendesk.com/documentation/ticketing/reference-guides/suspensions-reference/
CAUSES = ((0, "Detected as spam", 0.40), (3, "Automated response mail", 0.14), (2, "Submitted by unverified user", 0.10),
          (7, "Automated response mail, delivery failed", 0.10), (8, "Automated response mail, out of office", 0.08),
          (6, "End user only allowed to update their own tickets", 0.08), (4, "Detected as mail loop", 0.05),
          (13, "Email is from a blocklisted sender or domain", 0.05))
UPDATES_A_TICKET = {6, 7, 8}  # replies to a ticket's notification: they name the ticket
SPAM_SENDERS = (("Deals Team", "offers@bestprice-deals.example"), ("Crypto Desk", "vip@coin-yield.example"),
                ("Prize Center", "claim@lucky-winner.example"))
SUBJECTS = {0: "You have been selected!", 3: "Automatic reply", 2: "Question about my order",
            7: "Undeliverable: Re: [{sub}] Your request #{t}", 8: "Out of office: Re: [{sub}] Your request #{t}",
            6: "Re: [{sub}] Your request #{t}", 4: "Re: Re: Re: Re: Support", 13: "Limited offer"}


@dataclass
class Kept:
    """Mutable state: tickets scrubbed by mutations, suspensions added and removed."""

    scrubbed: set[int] = field(default_factory=set)  # ticket indexes
    suspended: list[dict] = field(default_factory=list)
    unsuspended: set[int] = field(default_factory=set)  # suspended ticket ids


def kept(ds: Dataset) -> Kept:
    return state(ds, "deletions", Kept)


# -- deleted tickets -------------------------------------------------------------------------------------------------
def deleted_tickets(ds: Dataset) -> list[dict]:
    return ds.cached("#deleted_tickets", lambda: _deleted_tickets(ds))


def _deleted_tickets(ds: Dataset) -> list[dict]:
    cols, scrubbed = ds.tickets.cols, kept(ds).scrubbed
    listed = np.flatnonzero((cols.deleted == 1) & (cols.updated >= ds.as_of - SCRUB_AFTER)).tolist()
    agents = ds.users.cols.agents
    out = []
    for index in (i for i in listed if i not in scrubbed):
        ticket = ds.tickets.record(index)
        actor = int(unit1(ds.seed, 300, index) * agents)
        out.append({"id": index + 1, "subject": ticket["subject"], "description": ticket["description"],
                    "actor": {"id": ds.users.user_id(actor), "name": ds.users.name(actor)},
                    "deleted_at": iso(int(cols.updated[index])), "previous_state": STATUSES[int(cols.status[index])]})
    return out


def scrub_tickets(ds: Dataset, rng: random.Random, n: int) -> list[int]:
    listed = [r["id"] for r in deleted_tickets(ds)]
    chosen = sorted(rng.sample(listed, min(n, len(listed))))
    kept(ds).scrubbed.update(t - 1 for t in chosen)
    return chosen


# -- deleted users ---------------------------------------------------------------------------------------------------
SCRUBBED_USER: dict[str, object] = {"name": "Permanently Deleted User", "email": None, "phone": None, "shared_phone_number": None,
                 "photo": None, "alias": None, "external_id": None, "details": None, "notes": None, "signature": None,
                 "organization_id": None, "tags": [], "user_fields": {}, "last_login_at": None}


def deleted_user_indexes(ds: Dataset) -> list[int]:
    return np.flatnonzero(ds.users.cols.active == 0).tolist()


def purge_users(ds: Dataset, rng: random.Random, ts: int, n: int) -> list[int]:
    """Permanently deletes n deleted users not purged yet."""
    users = ds.users
    candidates = [i for i in deleted_user_indexes(ds) if users.overrides.get(i, {}).get("name") != SCRUBBED_USER["name"]]
    chosen = sorted(rng.sample(candidates, min(n, len(candidates))))
    for index in chosen:
        users.overrides.setdefault(index, {}).update(SCRUBBED_USER)
        users.cols.updated[index] = ts
        ds.touch("user", index)
    return [users.user_id(i) for i in chosen]


# -- suspended tickets -----------------------------------------------------------------------------------------------
def suspended_tickets(ds: Dataset) -> list[dict]:
    return ds.cached("#suspended_tickets", lambda: _suspended(ds))


def _suspended(ds: Dataset) -> list[dict]:
    state_ = kept(ds)
    end = ds.catalog.end
    generated = [_suspension(ds, k, end - int(unit1(ds.seed, 310, k) * SUSPENDED_KEPT))
                 for k in range(max(4, ds.sizes.tickets // 250))]
    since = ds.as_of - SUSPENDED_KEPT
    rows = [r for r in generated + state_.suspended if r["_created"] >= since and r["id"] not in state_.unsuspended]
    return sorted(rows, key=lambda r: r["id"])


def _suspension(ds: Dataset, k: int, ts: int) -> dict:
    draw, total, cause = unit1(ds.seed, 311, k), 0.0, CAUSES[-1]
    for candidate in CAUSES:
        total += candidate[2]
        if draw < total:
            cause = candidate
            break
    cause_id, cause_name = cause[0], cause[1]
    users, cat = ds.users, ds.catalog
    customers = len(users) - users.cols.agents
    person = users.cols.agents + int(unit1(ds.seed, 312, k) * customers)
    live = ds.listable_tickets()
    ticket = int(live[int(unit1(ds.seed, 313, k) * len(live))]) + 1 if cause_id in UPDATES_A_TICKET and len(live) else None
    author: dict[str, int | str | None]
    if cause_id in (0, 13):
        name, email = SPAM_SENDERS[k % len(SPAM_SENDERS)]
        author = {"id": None, "name": name, "email": email}
    elif cause_id in (3, 7, 8, 4):
        author = {"id": None, "name": "Mail Delivery System", "email": f"mailer-daemon@mx{k % 7}.example"}
    else:
        author = {"id": users.user_id(person) if cause_id == 6 else None, "name": users.name(person),
                  "email": users.email(person)}
    sid = ids.SUSPENDED + k + 1
    recipient = f"support@{cat.subdomain}.zendesk.com"
    subject = SUBJECTS[cause_id].format(sub=cat.subdomain.capitalize(), t=ticket)
    return {"url": f"{cat.base}/suspended_tickets/{sid}.json", "id": sid, "author": author, "subject": subject,
            "content": f"{subject}\n\nSent from my phone" if cause_id in (2, 6) else f"{subject}.",
            "cause": cause_name, "cause_id": cause_id, "recipient": recipient, "brand_id": ids.BRAND + 1,
            "ticket_id": ticket, "message_id": f"<{sid:x}.{ts}@mail.example>",
            "error_messages": ["Mailbox unavailable"] if cause_id == 7 else None, "attachments": [],
            "via": {"channel": "email", "source": {"from": {"address": author["email"], "name": author["name"]},
                                                   "to": {"address": recipient, "name": cat.subdomain.capitalize()},
                                                   "rel": None}},
            "created_at": iso(ts), "updated_at": iso(ts), "_created": ts}


def suspend(ds: Dataset, ts: int, n: int) -> list[int]:
    added = kept(ds).suspended
    start = 1_000_000 + len(added)
    rows = [_suspension(ds, start + j, ts) for j in range(n)]
    added += rows
    return [r["id"] for r in rows]


def unsuspend(ds: Dataset, rng: random.Random, n: int, keep: list[int]) -> list[int]:
    """Recovers or deletes n suspended tickets, never those in `keep` (just suspended)."""
    listed = [r["id"] for r in suspended_tickets(ds) if r["id"] not in keep]
    chosen = sorted(rng.sample(listed, min(n, len(listed))))
    kept(ds).unsuspended.update(chosen)
    return chosen


# -- the truths and mutations the resources declare (resources/deletions.py) -----------------------------------------
def deleted_tickets_truth(ds: Dataset) -> list[dict]:
    return [{"id": r["id"], "deleted_at": r["deleted_at"]} for r in deleted_tickets(ds)]


def deleted_users_truth(ds: Dataset) -> list[dict]:
    users = ds.users
    return [{"id": users.user_id(i), "updated_at": iso(int(users.cols.updated[i]))} for i in deleted_user_indexes(ds)]


def suspended_tickets_truth(ds: Dataset) -> list[dict]:
    return [{"id": r["id"], "updated_at": r["updated_at"]} for r in suspended_tickets(ds)]


def deleted_tickets_change(c: Change) -> dict:
    """create=n deletes n live tickets (as `mutate tickets delete=n`), delete=n scrubs n listed ones."""
    if c.update:
        raise ValueError("deleted_tickets: create=n deletes n tickets, delete=n deletes n of them for good; no update")
    created = TicketWork(c.ds).tickets(c.rng, c.ts, 0, 0, c.create)["deleted"]
    return {"created": created, "updated": [], "deleted": scrub_tickets(c.ds, c.rng, c.delete)}


def deleted_users_change(c: Change) -> dict:
    """create=n deletes n end-users (as `mutate users delete=n`), delete=n permanently deletes n deleted users."""
    if c.update:
        raise ValueError("deleted_users: create=n deletes n users, delete=n deletes n of them for good; no update")
    created = TicketWork(c.ds).people("users", c.rng, c.ts, 0, 0, c.create)["deleted"]
    return {"created": created, "updated": [], "deleted": purge_users(c.ds, c.rng, c.ts, c.delete)}


def suspended_tickets_change(c: Change) -> dict:
    if c.update:
        raise ValueError("a suspended ticket is never edited: create=n suspends emails, delete=n recovers or deletes them")
    created = suspend(c.ds, c.ts, c.create)
    return {"created": created, "updated": [], "deleted": unsuspend(c.ds, c.rng, c.delete, created)}
