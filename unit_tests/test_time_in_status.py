"""The README's time-in-status query (scripts/time_in_status.py) over a hand-made field history."""

from __future__ import annotations

import json

from scripts.time_in_status import time_in_status


def _change(ticket_id: int, status: str, updated: str, field: str = "status") -> dict:
    return {"id": f"{ticket_id}{updated}:{field}", "ticket_id": ticket_id, "field_name": field, "value": status,
            "previous_value": None, "updated": updated, "user_id": 1, "event_id": 1, "parent_event_id": 1}


def test_given_status_changes_then_each_spell_lasts_until_the_next_change_or_now(tmp_path):
    rows = [
        _change(1, "new", "2024-01-01T00:00:00Z"),
        _change(1, "open", "2024-01-01T02:00:00Z"),
        _change(1, "priority-high", "2024-01-01T03:00:00Z", field="priority"),  # not a status change
        _change(1, "pending", "2024-01-01T05:00:00Z"),
        _change(1, "open", "2024-01-01T06:30:00Z"),
        _change(1, "solved", "2024-01-01T07:00:00Z"),
        _change(2, "new", "2024-01-01T09:00:00Z"),
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))

    db = time_in_status(path, "2024-01-01 10:00:00")

    hours = {(t, s): h for t, s, h in db.execute("select * from time_in_status").fetchall()}
    assert hours == {(1, "new"): 2.0, (1, "open"): 3.5, (1, "pending"): 1.5, (1, "solved"): 3.0, (2, "new"): 1.0}
