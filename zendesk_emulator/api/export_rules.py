"""Rules shared by the incremental exports: reading `start_time`, refusing a too recent one, and hiding the last
minute.

- Items created or changed within the minute before the request are left out (Zendesk, 2024-10-28: "all ticket
  creations and updates that occur in the minute before the request are excluded"), so the newest timestamp an
  export can return is `floor(now) - 60`.
- `start_time` is read the way Rails reads it (String#to_i: leading digits; see `timefmt.ruby_to_i`).
- A `start_time` inside that last minute, or in the future, is refused with 422 and the body Zendesk has long sent
  for it: `{"error": "InvalidValue", "description": "Too recent start_time. Use a start_time older than 5 minutes"}`.
  The threshold is the one minute of the 2024 rule, not the five of the old wording: otherwise the `end_time` an
  export hands out (up to one minute old) could not be used as the next `start_time`, which Zendesk says works
  "seamlessly". A missing or unreadable start_time is a 400 InvalidValue (wording ours).
"""

from __future__ import annotations

import math

from ..data.timefmt import ruby_to_i
from ..types import ApiRequest
from .http import BadParameter, invalid

LAST_MINUTE = 60
TOO_RECENT = "Too recent start_time. Use a start_time older than 5 minutes"


def cutoff(now: float) -> int:
    """The newest timestamp an export may return right now."""
    return math.floor(now) - LAST_MINUTE


def start_time(req: ApiRequest, now: float, enforce_recent: bool = True) -> int:
    value = ruby_to_i(req.arg("start_time"))
    if value is None:
        raise BadParameter(invalid("start_time is required and must be a Unix epoch time in seconds"))
    if enforce_recent and value > cutoff(now):
        raise BadParameter(invalid(TOO_RECENT, 422))
    return max(0, value)
