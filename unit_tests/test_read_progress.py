"""The demo's live progress (scripts/progress.py) over a fake message stream, with an injected clock."""

from __future__ import annotations

import io
import itertools
import json
import sys
import threading

from scripts.airbyte_run import run_source
from scripts.progress import ReadProgress


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def record(stream: str) -> dict:
    return {"type": "RECORD", "record": {"stream": stream, "data": {"id": 1}, "emitted_at": 0}}


def state(stream: str) -> dict:
    return {"type": "STATE", "state": {"type": "STREAM", "stream": {"stream_descriptor": {"name": stream},
                                                                    "stream_state": {"updated_at": 1}}}}


def estimate(stream: str, rows: int) -> dict:
    return {"type": "TRACE", "trace": {"type": "ESTIMATE", "emitted_at": 0,
                                       "estimate": {"name": stream, "type": "STREAM", "row_estimate": rows}}}


def status(stream: str, value: str) -> dict:
    return {"type": "TRACE", "trace": {"type": "STREAM_STATUS", "emitted_at": 0,
                                       "stream_status": {"stream_descriptor": {"name": stream}, "status": value}}}


def log(message: str) -> dict:
    return {"type": "LOG", "log": {"level": "INFO", "message": message}}


def progress_of(*messages: dict, streams=("tickets", "users", "groups"), **options) -> ReadProgress:
    progress = ReadProgress("full read", streams, out=io.StringIO(), clock=FakeClock(), **options)
    for message in messages:
        progress.observe(message)
    return progress


def test_given_records_and_states_then_counted_per_stream_and_in_all():
    progress = progress_of(*[record("tickets")] * 3, record("users"), state("tickets"), state("users"), state("users"))

    assert {name: s.records for name, s in progress.streams.items()} == {"tickets": 3, "users": 1, "groups": 0}
    assert {name: s.states for name, s in progress.streams.items()} == {"tickets": 1, "users": 2, "groups": 0}
    assert (progress.records, progress.states) == (4, 3)


def test_given_an_estimate_then_the_percentage_is_of_it_rounded_down_and_may_pass_100():
    progress = progress_of(estimate("tickets", 3), record("tickets"), estimate("users", 0), record("users"))
    tickets, users, groups = (progress.streams[name] for name in ("tickets", "users", "groups"))

    assert tickets.percent == 33
    assert users.percent is None and groups.percent is None  # an estimate of 0 gives no percentage
    for message in [record("tickets")] * 3:
        progress.observe(message)
    assert tickets.percent == 133  # Zendesk's counts leave out deleted records: shown as it is


def test_given_a_stream_outside_the_catalog_then_it_is_counted_too():
    progress = progress_of(record("ticket_audits"))

    assert progress.streams["ticket_audits"].records == 1


def test_given_a_log_then_a_line_every_two_seconds_of_the_clock_and_none_between():
    progress = progress_of(terminal=False)
    clock, out = progress.clock, progress.out
    drawn = []
    for now in (100.5, 101.9, 102.0, 102.1, 103.9, 104.0, 104.5, 106.2):
        clock.now = now
        if progress.tick():
            drawn.append(now)

    assert drawn == [102.0, 104.0, 106.2]
    assert out.getvalue().count("\n") == 3


def test_given_a_log_then_each_line_holds_the_totals_and_every_stream_reading_with_its_percentage():
    progress = progress_of(status("tickets", "RUNNING"), estimate("tickets", 8), *[record("tickets")] * 2,
                           status("users", "RUNNING"), record("users"), status("groups", "COMPLETE"),
                           state("groups"), terminal=False)
    progress.clock.now += 2

    assert progress.tick()
    line = progress.out.getvalue()
    assert line == ("  full read    2 s: 3 records, 1 states, 1 of 3 streams done; "
                    "reading tickets 2 of ~8 (25%), users 1\n")


def test_given_the_source_paces_then_the_wait_counts_down_on_our_clock_and_is_gone_once_over():
    progress = progress_of(log("Pacing to Zendesk's limit of 10 export requests a minute: 3 s to go. Progress: ..."),
                           status("users", "RUNNING"))

    assert progress.pacing(101.2) == "pacing to Zendesk's limit of 10 export requests a minute, 2 s to go"
    assert progress.line(101.2).endswith("streams done; pacing to Zendesk's limit of 10 export requests a minute, "
                                         "2 s to go; reading users 0")
    assert progress.table(101.2)[1] == "  pacing to Zendesk's limit of 10 export requests a minute, 2 s to go"
    assert progress.pacing(103.0) is None
    assert "pacing" not in progress.line(103.0)


def test_given_a_terminal_then_the_table_is_redrawn_in_place_with_a_row_per_stream_reading_or_estimated():
    progress = progress_of(status("tickets", "RUNNING"), estimate("tickets", 4), record("tickets"),
                           status("groups", "COMPLETE"), record("groups"), terminal=True, width=80)
    clock, out = progress.clock, progress.out

    clock.now += 0.5
    assert progress.tick()
    first = out.getvalue()
    assert first.splitlines() == [
        "full read    0 s: 2 records, 0 states, 1 of 3 streams done",
        "  tickets         1 of ~4       [##........]  25% reading",
        "  1 other streams done (1 records), 1 not started",
    ]
    progress.observe(status("tickets", "COMPLETE"))
    clock.now += 0.5
    assert progress.tick()
    assert out.getvalue()[len(first):].startswith("\x1b[3F\x1b[J")  # back up over the 3 lines drawn, erase them
    progress.finish()
    assert out.getvalue().endswith("\x1b[3F\x1b[J")  # the table leaves the screen for the caller's summary


def test_given_a_small_terminal_then_no_line_wraps_and_the_table_fits_its_height():
    streams = [f"stream_{n}" for n in range(10)]
    progress = progress_of(*[status(name, "RUNNING") for name in streams[:8]], streams=streams, terminal=True,
                           width=30, height=6)
    progress.clock.now += 1

    progress.tick()
    lines = progress.out.getvalue().splitlines()
    assert len(lines) == 5  # one line left free: the cursor's
    assert all(len(line) <= 29 for line in lines)
    assert lines[3:] == ["  ... 6 more streams", "  0 other streams done (0 rec"]


def test_given_a_source_that_waits_silently_then_watching_still_draws_from_its_thread():
    out = io.StringIO()
    seconds = itertools.count(step=1.0)  # one second passes at each look at the clock
    progress = ReadProgress("read", ["tickets"], out=out, terminal=False, clock=lambda: next(seconds))
    pause = threading.Event()  # never set: waits for real (the tests' time.sleep is patched)

    with progress.watching(poll=0.001):
        for _ in range(2000):  # no message at all, as while the source waits for Zendesk's next minute
            if out.getvalue().count("\n") >= 3:
                break
            pause.wait(0.001)

    assert out.getvalue().splitlines()[:3] == [f"  read {s:4} s: 0 records, 0 states, 0 of 1 streams done" for s in (2, 4, 6)]


def test_given_a_source_process_then_run_source_feeds_the_progress_every_message_it_sorts(tmp_path):
    messages = [status("tickets", "RUNNING"), estimate("tickets", 2), record("tickets"), record("tickets"),
                state("tickets"), status("tickets", "COMPLETE")]
    source = tmp_path / "source.py"
    source.write_text("import sys\n" + "".join(f"print({json.dumps(json.dumps(m))})\n" for m in messages))
    progress = ReadProgress("read", ["tickets"], out=io.StringIO(), terminal=False)

    result = run_source([sys.executable, str(source)], "read", progress=progress)

    tickets = progress.streams["tickets"]
    assert result.counts() == {"tickets": tickets.records} == {"tickets": 2}
    assert (tickets.percent, tickets.states, tickets.done) == (100, 1, True)
