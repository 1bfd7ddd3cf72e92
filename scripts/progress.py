"""Live progress of an Airbyte read, drawn from the source's own messages as they arrive, as Airbyte's UI draws it:
per stream the records so far and, where the source sent an ESTIMATE trace, the share of it it reached.

`ReadProgress.observe` takes each message (RECORD, STATE, TRACE ESTIMATE and STREAM_STATUS, and the connector's
`Pacing to ...` log lines); `tick` draws once `interval` seconds passed since the last drawing. On a terminal the
drawing is a small table redrawn in place; elsewhere (CI logs) it is one line each time. `watching()` ticks from a
thread while a read runs, so the display moves on while the source waits on Zendesk's rate limits and prints nothing.
The clock is injected, so tests drive the cadence without sleeping.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

LOG_INTERVAL = 2.0  # seconds between two progress lines in a log
TERMINAL_INTERVAL = 0.5  # seconds between two redrawings of the table on a terminal
BAR_WIDTH = 10

# The connector's log line when it waits for Zendesk's next minute (source_zendesk_support/pacing.py), e.g.
# "Pacing to Zendesk's limit of 10 export requests a minute: 3 s to go. Progress: ...". Its seconds are real ones:
# the emulator's rate-limit headers give real seconds whatever its clock's speed.
PACING = re.compile(r"^Pacing to (?P<what>.+?): (?P<seconds>\d+) s to go")


@dataclass
class StreamProgress:
    records: int = 0
    states: int = 0
    estimate: int | None = None  # the row_estimate of the stream's ESTIMATE trace, if it sent one
    status: str = ""  # its latest STREAM_STATUS: STARTED, RUNNING, COMPLETE or INCOMPLETE

    @property
    def percent(self) -> int | None:
        """Records so far as a share of the estimate, rounded down (100 only once the estimate is reached). An
        estimate is Zendesk's count, which leaves out deleted records the exports include: it can pass 100."""
        if not self.estimate:
            return None
        return 100 * self.records // self.estimate

    @property
    def reading(self) -> bool:
        return self.status in ("STARTED", "RUNNING")

    @property
    def done(self) -> bool:
        return self.status in ("COMPLETE", "INCOMPLETE")


class ReadProgress:
    def __init__(
        self,
        label: str,
        streams: Iterable[str] = (),
        *,
        out: TextIO | None = None,
        terminal: bool | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        self.label = label
        self.out = out if out is not None else sys.stdout
        self.terminal = _is_terminal(self.out) if terminal is None else terminal
        self.interval = interval if interval is not None else (TERMINAL_INTERVAL if self.terminal else LOG_INTERVAL)
        self.width, self.height = width, height  # of the terminal; None: asked at each drawing
        self.clock = clock
        self.streams: dict[str, StreamProgress] = {name: StreamProgress() for name in streams}
        self.records = 0
        self.states = 0
        self.started = self._drawn_at = clock()
        self._pacing: tuple[str, float] | None = None  # what the source waits for, and until when (our clock)
        self._lines_on_screen = 0
        self._lock = threading.Lock()

    # -- messages ----------------------------------------------------------------------------------------------------
    def observe(self, message: Mapping[str, Any]) -> None:
        kind = message.get("type")
        with self._lock:
            if kind == "RECORD":
                self._stream(message["record"]["stream"]).records += 1
                self.records += 1
            elif kind == "STATE":
                self.states += 1
                descriptor = message["state"].get("stream", {}).get("stream_descriptor", {})
                if "name" in descriptor:
                    self._stream(descriptor["name"]).states += 1
            elif kind == "TRACE":
                self._trace(message["trace"])
            elif kind == "LOG":
                found = PACING.match(str(message["log"].get("message", "")))
                if found:
                    self._pacing = (found["what"], self.clock() + int(found["seconds"]))

    def _trace(self, trace: Mapping[str, Any]) -> None:
        if trace.get("type") == "ESTIMATE":
            estimate = trace["estimate"]
            if estimate.get("type") == "STREAM" and isinstance(estimate.get("row_estimate"), int):
                self._stream(estimate["name"]).estimate = estimate["row_estimate"]
        elif trace.get("type") == "STREAM_STATUS":
            status = trace["stream_status"]
            self._stream(status["stream_descriptor"]["name"]).status = status["status"]

    def _stream(self, name: str) -> StreamProgress:
        progress = self.streams.get(name)
        if progress is None:
            progress = self.streams[name] = StreamProgress()
        return progress

    # -- drawing -----------------------------------------------------------------------------------------------------
    def tick(self) -> bool:
        """Draw if `interval` passed since the last drawing (or the start); say whether it drew."""
        with self._lock:
            now = self.clock()
            if now - self._drawn_at < self.interval:
                return False
            self._drawn_at = now
            self._draw(now)
            return True

    def finish(self) -> None:
        """Take the table off the screen (the caller prints its own summary); a log keeps its lines."""
        with self._lock:
            if self.terminal and self._lines_on_screen:
                self.out.write(f"\x1b[{self._lines_on_screen}F\x1b[J")
                self.out.flush()
                self._lines_on_screen = 0

    @contextmanager
    def watching(self, poll: float = 0.1) -> Iterator[ReadProgress]:
        """Tick from a thread every `poll` seconds while the block runs."""
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(poll):
                self.tick()

        thread = threading.Thread(target=run, name="read-progress", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()
            self.finish()

    def _draw(self, now: float) -> None:
        if not self.terminal:
            self.out.write(self.line(now) + "\n")
        else:
            size = shutil.get_terminal_size()
            width, height = self.width or size.columns, self.height or size.lines
            lines = [line[: width - 1] for line in self.table(now, height - 1)]
            erase = f"\x1b[{self._lines_on_screen}F\x1b[J" if self._lines_on_screen else ""
            self.out.write(erase + "\n".join(lines) + "\n")
            self._lines_on_screen = len(lines)
        self.out.flush()

    def summary(self, now: float) -> str:
        done = sum(s.done for s in self.streams.values())
        return (f"{self.label} {now - self.started:4.0f} s: {self.records:,} records, {self.states:,} states, "
                f"{done} of {len(self.streams)} streams done")

    def pacing(self, now: float) -> str | None:
        """What the source waits for, while it waits (the seconds to go count down on our clock)."""
        if self._pacing is None or self._pacing[1] <= now:
            return None
        return f"pacing to {self._pacing[0]}, {math.ceil(self._pacing[1] - now)} s to go"

    def line(self, now: float) -> str:
        """One line for a log: the totals, the wait if any, then every stream reading now."""
        parts = [self.summary(now), self.pacing(now)]
        reading = [f"{name} {_count(s)}" for name, s in self.streams.items() if s.reading]
        if reading:
            parts.append(f"reading {', '.join(reading)}")
        return "  " + "; ".join(part for part in parts if part)

    def table(self, now: float, height: int = 1000) -> list[str]:
        """The totals, the wait if any, then a row per stream reading now or with an estimate, and the other streams
        in one line; at most `height` lines (the rows that do not fit are counted instead)."""
        name_width = max((len(name) for name in self.streams), default=6)
        head = [self.summary(now)] + [f"  {text}" for text in (self.pacing(now),) if text]
        rows = []
        for name, s in self.streams.items():
            if not (s.reading or s.estimate is not None):
                continue
            percent = s.percent
            bar = "" if percent is None else f"{_bar(percent)} {percent:>3}%"
            estimate = f"of ~{s.estimate:,}" if s.estimate is not None else ""
            state = "done" if s.done else "reading" if s.reading else "waiting"
            rows.append(f"  {name:<{name_width}} {s.records:>9,} {estimate:<11} {bar:<17} {state}")
        rest = [s for s in self.streams.values() if not (s.reading or s.estimate is not None)]
        done = [s for s in rest if s.done]
        foot = [f"  {len(done)} other streams done ({sum(s.records for s in done):,} records), "
                f"{len(rest) - len(done)} not started"] if rest else []
        room = max(height - len(head) - len(foot), 1)
        if len(rows) > room:
            rows = rows[: room - 1] + [f"  ... {len(rows) - room + 1} more streams"]
        return head + rows + foot


def _count(stream: StreamProgress) -> str:
    if stream.percent is None:
        return f"{stream.records:,}"
    return f"{stream.records:,} of ~{stream.estimate:,} ({stream.percent}%)"


def _bar(percent: int) -> str:
    filled = min(BAR_WIDTH, percent * BAR_WIDTH // 100)
    return "[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]"


def _is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
