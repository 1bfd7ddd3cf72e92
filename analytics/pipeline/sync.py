"""Sync the streams dbt_zendesk needs with our connector (its own process, as Airbyte runs it) into a DuckDB file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analytics.pipeline.airbyte_duckdb import AirbyteDuckDB

# The streams the dbt project reads (analytics/models/staging), each with the package tables it feeds.
STREAMS = {
    "tickets": "ticket, ticket_tag",
    "ticket_comments": "ticket_comment",
    "ticket_field_history": "ticket_field_history",
    "ticket_sla_policies": "ticket_field_history (SLA changes), ticket_sla_policy",
    "ticket_metric_events": "the same when ticket_sla_policies is not synced (Airbyte's official connector has it)",
    "ticket_schedules": "ticket_schedule",
    "users": "user, user_tag",
    "organizations": "organization, organization_tag, domain_name",
    "groups": "group",
    "brands": "brand",
    "schedules": "schedule",
    "schedule_holidays": "schedule_holiday",
    "sla_policies": "sla_policy_metric_history",
    "ticket_forms": "ticket_form_history",
    "audit_logs": "audit_log",
    "ticket_metrics": "(none: Zendesk's own figures, beside the package's in the report)",
}
# Without these the package's metrics are empty: a sync that cannot read them is an error, not a warning.
REQUIRED = ("tickets", "ticket_comments", "ticket_field_history", "users")

PROGRESS_SECONDS = 2.0


class SyncError(Exception):
    """The sync cannot go on; the message says why, for the user."""


@dataclass
class Source:
    """How to run the connector: its command, its config, the environment (the emulator's proxy and CA)."""

    command: list[str]
    config: dict[str, Any]
    env: dict[str, str]
    config_file: Path | None = None  # where a rotated OAuth refresh token is saved (the connector's CONTROL message)


@dataclass
class SyncResult:
    records: dict[str, int] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    incremental: bool = False
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _messages(source: Source, verb: str, files: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Run `<connector> <verb> --config ... [--catalog ...] [--state ...]`; yield (line, message) per JSON line."""
    with tempfile.TemporaryDirectory(prefix="analytics-connector-") as tmp:
        args = [*source.command, verb]
        for name, content in {"config": source.config, **files}.items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(content))
            path.chmod(0o600)
            args += [f"--{name}", str(path)]
        stderr = Path(tmp) / "stderr.log"
        with stderr.open("w") as err:
            process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, env=source.env, text=True,
                                       bufsize=1 << 20)
            assert process.stdout is not None
            try:
                for line in process.stdout:
                    if not line.startswith("{"):
                        continue
                    try:
                        message = json.loads(line)
                    except ValueError:
                        continue
                    if message.get("type") == "CONTROL":  # a refresh token rotated, in any verb: keep the new one
                        _save_config(source, message["control"])
                    yield line, message
            finally:
                if process.poll() is None:
                    process.kill()
                code = process.wait()
        if code != 0:
            tail = stderr.read_text(errors="replace").strip().splitlines()[-5:]
            yield "", {"type": "_EXIT", "code": code, "stderr": "\n".join(tail)}


def _failure(messages: list[dict[str, Any]]) -> str | None:
    errors = [m["trace"]["error"].get("message", "") for m in messages
              if m.get("type") == "TRACE" and m["trace"].get("type") == "ERROR"]
    exits = [m for m in messages if m.get("type") == "_EXIT"]
    if errors:
        return "; ".join(errors)
    if exits:
        return f"the connector exited with {exits[0]['code']}" + (f": {exits[0]['stderr']}" if exits[0]["stderr"] else "")
    return None


def check(source: Source) -> None:
    messages = [m for _, m in _messages(source, "check", {})]
    status = next((m["connectionStatus"] for m in messages if m.get("type") == "CONNECTION_STATUS"), None)
    if status is None:
        raise SyncError(f"the connector's check did not answer: {_failure(messages) or 'no status'}")
    if status.get("status") != "SUCCEEDED":
        raise SyncError(f"Zendesk refused the config: {status.get('message', 'check failed')}")


def configured_catalog(source: Source) -> tuple[dict[str, Any], list[str]]:
    """Discover, and configure the streams of STREAMS the connector has: incremental and deduplicated on the
    primary key where the stream allows it, else full refresh. Returns it and the streams it lacks."""
    messages = [m for _, m in _messages(source, "discover", {})]
    catalog = next((m["catalog"] for m in messages if m.get("type") == "CATALOG"), None)
    if catalog is None:
        raise SyncError(f"the connector's discover failed: {_failure(messages) or 'no catalog'}")
    offered = {stream["name"]: stream for stream in catalog["streams"]}
    configured = []
    for name in STREAMS:
        stream = offered.get(name)
        if stream is None:
            continue
        incremental = "incremental" in stream.get("supported_sync_modes", []) and stream.get("source_defined_primary_key")
        entry: dict[str, Any] = {"stream": stream, "sync_mode": "incremental" if incremental else "full_refresh",
                                 "destination_sync_mode": "append_dedup" if incremental else "overwrite"}
        if stream.get("source_defined_primary_key"):
            entry["primary_key"] = stream["source_defined_primary_key"]
        if incremental and stream.get("default_cursor_field"):
            entry["cursor_field"] = stream["default_cursor_field"]
        configured.append(entry)
    missing = [name for name in STREAMS if name not in offered]
    lacking = [name for name in REQUIRED if name in missing]
    if lacking:
        raise SyncError(f"the connector offers no stream {', '.join(lacking)}: is it this repository's connector?")
    return {"streams": configured}, missing


class Progress:
    """A line every PROGRESS_SECONDS while records arrive: the count so far per stream, against the estimates."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.estimates: dict[str, int] = {}
        self.started = self._last = time.monotonic()

    def record(self, stream: str) -> None:
        self.counts[stream] = self.counts.get(stream, 0) + 1
        now = time.monotonic()
        if now - self._last >= PROGRESS_SECONDS:
            self._last = now
            self.show()

    def show(self) -> None:
        parts = []
        for stream, count in sorted(self.counts.items(), key=lambda item: -item[1])[:5]:
            estimate = self.estimates.get(stream)
            parts.append(f"{stream} {count:,}" + (f"/~{estimate:,}" if estimate else ""))
        total = sum(self.counts.values())
        print(f"    {total:,} records in {time.monotonic() - self.started:.0f} s: {', '.join(parts)}", flush=True)


def sync(source: Source, db_path: Path, account: dict[str, Any]) -> SyncResult:
    """Check, discover, then read the streams into the DuckDB file from the state saved in it, and save the new
    state with the records."""
    landing = AirbyteDuckDB(db_path, {"streams": []})  # fails now, before any request, if the file is locked
    try:
        saved = landing.saved_state()
    finally:
        landing.close()
    if saved and saved.get("account") != account:
        raise SyncError(f"{db_path} holds another account's data ({_describe(saved.get('account'))}; this run reads "
                        f"{_describe(account)}): give another --db, or delete {db_path}")
    result = SyncResult(incremental=bool(saved.get("streams")))
    print("  checking the connection...", flush=True)
    check(source)
    catalog, result.missing = configured_catalog(source)
    states = [state for name, state in saved.get("streams", {}).items() if name in STREAMS]
    print(f"  reading {len(catalog['streams'])} streams ({'incremental, from the saved state' if states else 'full'})"
          + (f"; not offered by the connector: {', '.join(result.missing)}" if result.missing else ""), flush=True)
    landing = AirbyteDuckDB(db_path, catalog)
    progress, messages = Progress(), []
    started = time.monotonic()
    try:
        for line, message in _messages(source, "read", {"catalog": catalog, "state": states}):
            kind = message.get("type")
            if kind == "RECORD":
                stream = message["record"]["stream"]
                landing.spool(stream, line)
                progress.record(stream)
            elif kind == "STATE" and message["state"].get("type") == "STREAM":
                name = message["state"]["stream"]["stream_descriptor"]["name"]
                landing.checkpoint(name, message["state"])
            elif kind == "LOG" and message["log"].get("level") in ("WARN", "ERROR", "FATAL"):
                result.warnings.append(message["log"].get("message", ""))
                print(f"    connector {message['log']['level'].lower()}: {message['log'].get('message', '')[:300]}",
                      flush=True)
            elif kind == "TRACE" and message["trace"].get("type") == "ESTIMATE":
                estimate = message["trace"]["estimate"]
                progress.estimates[estimate["name"]] = int(estimate.get("row_estimate") or 0)
            if kind in ("TRACE", "_EXIT"):
                messages.append(message)
        failure = _failure(messages)
        progress.show()
        result.loaded = landing.commit(complete=failure is None, account=account)
    finally:
        landing.close()
    result.records, result.seconds = progress.counts, time.monotonic() - started
    if failure is not None:
        raise SyncError(f"the sync failed ({failure}); what it read up to its last checkpoint is saved, and the next "
                        "run resumes there")
    return result


def _save_config(source: Source, control: dict[str, Any]) -> None:
    """Zendesk rotates OAuth refresh tokens: keep the connector's new config where the next run reads it."""
    config = (control.get("connectorConfig") or {}).get("config")
    if control.get("type") != "CONNECTOR_CONFIG" or not isinstance(config, dict):
        return
    source.config = config  # the next verb of this run starts from it
    if source.config_file is None:
        return
    temporary = source.config_file.with_name(source.config_file.name + ".tmp")
    temporary.write_text(json.dumps(config, indent=2))
    temporary.chmod(0o600)
    os.replace(temporary, source.config_file)


def _describe(account: Any) -> str:
    if not isinstance(account, dict):
        return "unknown"
    if "emulator" in account:
        emulator = account["emulator"]
        return f"the emulator's account of {emulator.get('tickets')} tickets, seed {emulator.get('seed')}"
    return f"https://{account.get('subdomain')}.zendesk.com"


def connector_command(root: Path) -> list[str]:
    """The connector installed in the repository's .venv (bin/setup-venv)."""
    executable = root / ".venv" / "bin" / "source-zendesk-support"
    if not executable.exists():
        raise SyncError(f"{executable} is missing: run bin/setup-venv")
    return [str(executable)]


def python_of(root: Path) -> str:
    python = root / ".venv" / "bin" / "python"
    return str(python) if python.exists() else sys.executable
