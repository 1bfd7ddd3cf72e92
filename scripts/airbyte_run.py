"""Run an Airbyte source as its own process and sort what it prints: the harness the demo, tests and benches share."""

from __future__ import annotations

import contextlib
import functools
import json
import resource
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.progress import ReadProgress
from source_zendesk_support.streams import BY_NAME as STREAM_CLASSES
from zendesk_emulator.resources.registry import BY_NAME as EMULATED

# The connector's streams the emulator does not serve yet (no declaration in zendesk_emulator/resources/, or one
# lacking a route, a truth or a mutation). The emulator-backed tests, tools and benchmarks leave them out until then;
# integration_tests/test_emulator_resources.py names any other stream the emulator lacks, and fails as soon as the
# emulator serves one listed here, so this set only shrinks.
AWAITING_EMULATOR: frozenset[str] = frozenset()

# Every stream the connector has that the emulator serves, in discover's order (its truth routes use the same names).
STREAMS = tuple(name for name in STREAM_CLASSES if name not in AWAITING_EMULATOR)



def key_of(stream: str) -> str | tuple[str, ...]:
    """A stream's primary key field, or for a stream without one the fields that tell its records apart (its
    `natural_key`)."""
    declared = STREAM_CLASSES[stream]
    return declared.natural_key if declared.primary_key is None else str(declared.primary_key)


def key_value(row: dict, stream: str) -> Any:
    """A record's (or truth row's) key value: the primary key's value, or a tuple of the natural key's values."""
    key = key_of(stream)
    return tuple(row.get(field) for field in key) if isinstance(key, tuple) else row.get(key)


def truth_resource(stream: str) -> str:
    """The emulator's ground truth for what our stream must contain: its resource's `stream_truth`
    (zendesk_emulator/resources/)."""
    return EMULATED[stream].stream_truth if stream in EMULATED else stream


def truth_fields(stream: str, rows: list[dict]) -> tuple[str, ...]:
    """The fields truth rows carry besides the key (cursor fields and the like) that a test compares value for
    value with the records a sync emitted: those the stream's schema declares, but for objects, which a truth row
    holds only in part (a ticket's `via` with its `channel`, what a stream asks its conversation log by)."""
    declared, key = _schema_properties(stream), key_of(stream)
    keys = set(key) if isinstance(key, tuple) else {key}
    return tuple(sorted({field for row in rows[:1] for field, value in row.items()
                         if field not in keys and field in declared and not isinstance(value, dict)}))


def truth_view(emulator: Any, stream: str) -> tuple[tuple[str, ...], dict]:
    """The emulator's truth for `stream` now: the compared fields, and key -> their values."""
    rows = emulator.control("GET", f"truth/{truth_resource(stream)}")
    fields = truth_fields(stream, rows)
    return fields, projection(rows, stream, fields)


def projection(rows: Iterable[dict], stream: str, fields: tuple[str, ...]) -> dict:
    """Key -> compared field values, for truth rows or emitted records."""
    return {key_value(row, stream): {f: row.get(f) for f in fields} for row in rows}


@functools.cache
def _schema_properties(stream: str) -> frozenset[str]:
    path = Path(__file__).resolve().parents[1] / "source_zendesk_support" / "schemas" / f"{stream}.json"
    return frozenset(json.loads(path.read_text()).get("properties", {}))


@dataclass
class RunResult:
    command: str
    exit_code: int
    wall_seconds: float
    cpu_seconds: float
    records: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    states: list[dict] = field(default_factory=list)
    logs: list[dict] = field(default_factory=list)
    traces: list[dict] = field(default_factory=list)
    controls: list[dict] = field(default_factory=list)
    other: list[dict] = field(default_factory=list)
    stderr: str = ""
    stdout_lines: int = 0

    def counts(self) -> dict[str, int]:
        return {stream: len(rows) for stream, rows in sorted(self.records.items())}

    def latest_state(self) -> list[dict]:
        """The newest STATE per stream, in the list form Airbyte passes back with `--state`."""
        per_stream: dict[str, dict] = {}
        for state in self.states:
            if state.get("type") == "STREAM":
                per_stream[state["stream"]["stream_descriptor"]["name"]] = state
        return list(per_stream.values())

    def errors(self) -> list[dict]:
        return [t["error"] for t in self.traces if t.get("type") == "ERROR"]

    def duplicates(self, stream: str, key: str = "id") -> int:
        counts = Counter(r.get(key) for r in self.records.get(stream, []))
        return sum(n - 1 for n in counts.values() if n > 1)


def run_source(
    command: list[str],
    verb: str,
    *,
    config: dict | None = None,
    catalog: dict | None = None,
    state: list | dict | None = None,
    env: dict[str, str] | None = None,
    keep_records: bool = True,
    timeout: float | None = None,
    progress: ReadProgress | None = None,
) -> RunResult:
    """Run `<command> <verb> --config ... [--catalog ...] [--state ...]` and classify every stdout line; `progress`
    sees each message as it comes and draws while the source runs."""
    with tempfile.TemporaryDirectory(prefix="airbyte-run-") as tmp:
        args = list(command) + [verb]
        for flag, value in (("--config", config), ("--catalog", catalog), ("--state", state)):
            if value is not None:
                path = Path(tmp) / f"{flag[2:]}.json"
                path.write_text(json.dumps(value))
                args += [flag, str(path)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, bufsize=1 << 20)
        result = RunResult(command=" ".join(args), exit_code=-1, wall_seconds=0.0, cpu_seconds=0.0)
        with progress.watching() if progress is not None else contextlib.nullcontext():
            _collect(proc.stdout, result, keep_records, progress)
        try:
            result.stderr = proc.stderr.read() if proc.stderr else ""
            result.exit_code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            result.exit_code = proc.wait()
        result.wall_seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return result


def _collect(lines: Iterable[str], result: RunResult, keep_records: bool, progress: ReadProgress | None) -> None:
    for line in lines:
        result.stdout_lines += 1
        if not line.startswith("{"):
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if progress is not None:
            progress.observe(message)
        kind = message.get("type")
        if kind == "RECORD":
            record = message["record"]
            rows = result.records[record["stream"]]
            rows.append(record["data"] if keep_records else {"id": record["data"].get("id")})
        elif kind == "STATE":
            result.states.append(message["state"])
        elif kind == "LOG":
            result.logs.append(message["log"])
        elif kind == "TRACE":
            result.traces.append(message["trace"])
        elif kind == "CONTROL":
            result.controls.append(message["control"])
        else:
            result.other.append(message)


def configured_catalog(catalog: dict, streams: Iterable[str] | None = None, incremental: bool = True) -> dict:
    """Select streams from a discovered catalog: incremental where the stream supports it, else full refresh."""
    wanted = set(streams) if streams is not None else None
    configured = []
    for stream in catalog["streams"]:
        if wanted is not None and stream["name"] not in wanted:
            continue
        supports_incremental = "incremental" in stream.get("supported_sync_modes", [])
        mode = "incremental" if incremental and supports_incremental else "full_refresh"
        entry: dict[str, Any] = {
            "stream": stream,
            "sync_mode": mode,
            "destination_sync_mode": "append_dedup" if mode == "incremental" else "overwrite",
        }
        if stream.get("source_defined_primary_key"):
            entry["primary_key"] = stream["source_defined_primary_key"]
        if mode == "incremental" and stream.get("default_cursor_field"):
            entry["cursor_field"] = stream["default_cursor_field"]
        configured.append(entry)
    return {"streams": configured}
