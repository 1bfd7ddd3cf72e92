"""What every reliability test shares: the connector's real entrypoint as a process (which can be killed at any
line), its messages in the order it printed them, the secret scan every run goes through, and the figures the
suite reports at the end.

`RELIABILITY_FULL=1` runs the full-size suite (bigger accounts, more syncs, more kills); the default is a reduced
run that fits the CI budget and still covers every item.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.airbyte_run import STREAM_CLASSES, key_value, truth_resource
from scripts.airbyte_run import STREAMS as ALL_STREAMS

ROOT = Path(__file__).resolve().parents[2]
MAIN = [sys.executable, str(ROOT / "main.py")]
GUARD_DIR = Path(__file__).parent / "guard"
FULL = os.environ.get("RELIABILITY_FULL") == "1"


def per_ticket(stream: str) -> bool:
    per_parent = STREAM_CLASSES[stream].per_parent
    return per_parent is not None and per_parent.noun == "ticket"


# The streams every scenario syncs. The reduced run (CI) leaves out the streams asked for once per ticket
# (side_conversations: thousands of requests one after another under injected faults, longer than all the others
# together); the full run syncs them too. Those asked for per Help Center article, post or comment (a few hundred
# requests on these accounts) are in both.
STREAMS = ALL_STREAMS if FULL else tuple(s for s in ALL_STREAMS if not per_ticket(s))


def sized(default: int, full: int) -> int:
    return full if FULL else default


# -- figures -------------------------------------------------------------------------------------------------------
FIGURES: dict[str, Any] = defaultdict(Counter)


def count(section: str, **amounts: int) -> None:
    """Add to the figures printed at the end of the session (conftest's terminal summary)."""
    for name, amount in amounts.items():
        FIGURES[section][name] += amount


# -- one connector process -----------------------------------------------------------------------------------------
@dataclass
class Run:
    verb: str
    exit_code: int
    killed: bool
    wall_seconds: float
    messages: list[dict] = field(default_factory=list)  # every JSON line, in order
    arrivals: list[float] = field(default_factory=list)  # when each stdout line was read (monotonic seconds)
    stdout: str = ""
    stderr: str = ""

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in self.messages if m.get("type") == kind]

    def records(self, stream: str) -> list[dict]:
        return [m["record"]["data"] for m in self.of_type("RECORD") if m["record"]["stream"] == stream]

    def streams(self) -> set[str]:
        return {m["record"]["stream"] for m in self.of_type("RECORD")}

    def states(self) -> list[dict]:
        return [m["state"] for m in self.of_type("STATE")]

    def latest_state(self, previous: Iterable[dict] = ()) -> list[dict]:
        """The newest STATE per stream (on top of `previous`), in the list form Airbyte passes back."""
        per_stream = {s["stream"]["stream_descriptor"]["name"]: s for s in previous}
        for state in self.states():
            per_stream[state["stream"]["stream_descriptor"]["name"]] = state
        return list(per_stream.values())

    def committed(self) -> dict[str, list[dict]]:
        """Records a destination keeps: those followed by a STATE of their stream (all of them if the run ended)."""
        pending: dict[str, list[dict]] = defaultdict(list)
        kept: dict[str, list[dict]] = defaultdict(list)
        for message in self.messages:
            if message.get("type") == "RECORD":
                pending[message["record"]["stream"]].append(message["record"]["data"])
            elif message.get("type") == "STATE":
                name = message["state"]["stream"]["stream_descriptor"]["name"]
                kept[name] += pending.pop(name, [])
        if not self.killed and self.exit_code == 0:
            for name, rows in pending.items():
                kept[name] += rows
        return kept

    def errors(self) -> list[dict]:
        return [m["trace"]["error"] for m in self.of_type("TRACE") if m["trace"].get("type") == "ERROR"]

    def logs(self, level: str | None = None) -> list[str]:
        return [m["log"]["message"] for m in self.of_type("LOG") if level is None or m["log"]["level"] == level]

    def connection_status(self) -> dict | None:
        statuses = [m["connectionStatus"] for m in self.of_type("CONNECTION_STATUS")]
        return statuses[-1] if statuses else None

    def describe(self) -> str:
        return f"{self.verb}: exit {self.exit_code}, errors {[e['message'] for e in self.errors()]}, stderr {self.stderr[-1500:]}"


def run_connector(
    verb: str,
    env: Mapping[str, str],
    *,
    config: Any = None,
    catalog: dict | None = None,
    state: Any = None,
    raw_config: bytes | None = None,
    raw_state: bytes | None = None,
    extra_args: Iterable[str] = (),
    kill_after_records: int | None = None,
    timeout: float = 900,
    scan_secrets: bool = True,
) -> Run:
    """`python main.py <verb> ...` with `env`; SIGKILLed once `kill_after_records` RECORD lines were read."""
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        args = [*MAIN, verb]
        for flag, value, raw in (
            ("config", config, raw_config),
            ("catalog", catalog, None),
            ("state", state, raw_state),
        ):
            if value is None and raw is None:
                continue
            path = Path(tmp) / f"{flag}.json"
            path.write_bytes(raw if raw is not None else json.dumps(value).encode())
            args += [f"--{flag}", str(path)]
        args += list(extra_args)
        started = time.monotonic()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(env), cwd=ROOT)
        errors: list[bytes] = []
        reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        run = Run(verb=verb, exit_code=-1, killed=False, wall_seconds=0.0)
        lines: list[str] = []
        records_seen = 0
        assert proc.stdout is not None
        for raw_line in proc.stdout:
            line = raw_line.decode("utf-8", errors="replace")
            lines.append(line)
            run.arrivals.append(time.monotonic())
            if line.startswith('{"type":"RECORD"') or line.startswith('{"type": "RECORD"'):
                records_seen += 1
                if kill_after_records is not None and records_seen >= kill_after_records and not run.killed:
                    proc.send_signal(signal.SIGKILL)
                    run.killed = True
        run.exit_code = proc.wait()
        timer.cancel()
        reader.join()
        run.wall_seconds = time.monotonic() - started
        run.stdout = "".join(lines)
        run.stderr = b"".join(errors).decode("utf-8", errors="replace")
        for line in lines:
            if line.startswith("{"):
                try:
                    run.messages.append(json.loads(line))
                except ValueError:
                    pass  # the line a SIGKILL cut in half
    if scan_secrets and config is not None:
        assert_no_secrets(run, config)
    count("secrets", runs_scanned=1 if scan_secrets and config is not None else 0)
    return run


# -- secrets -------------------------------------------------------------------------------------------------------
SECRET_FIELDS = ("api_token", "access_token", "refresh_token", "client_secret", "password")


def secrets_of(config: Any) -> list[str]:
    """The config's tokens, secrets and passwords, and the Basic auth header value built from them."""
    credentials = config.get("credentials") if isinstance(config, Mapping) else None
    if not isinstance(credentials, Mapping):
        return []
    found = [
        str(credentials[k]) for k in SECRET_FIELDS if isinstance(credentials.get(k), str) and len(credentials[k]) >= 6
    ]
    email, token = credentials.get("email"), credentials.get("api_token")
    if isinstance(email, str) and isinstance(token, str) and token:
        found.append(base64.b64encode(f"{email}/token:{token}".encode()).decode())
    return found


def leaks(run: Run, config: Any) -> list[str]:
    """Secrets of `config` found anywhere in the run's output. CONTROL messages are left out: a CONNECTOR_CONFIG
    message is how Airbyte is handed a rotated refresh token to persist, secrets included by design."""
    text = (
        "\n".join(json.dumps(m) for m in run.messages if m.get("type") != "CONTROL")
        + "\n"
        + "\n".join(line for line in run.stdout.splitlines() if not line.startswith("{"))
        + "\n"
        + run.stderr
    )
    return [secret[:4] + "..." for secret in secrets_of(config) if secret in text]


def assert_no_secrets(run: Run, config: Any) -> None:
    found = leaks(run, config)
    assert not found, f"secrets of the config appear in the output of {run.verb}: {found}"


# -- environment ---------------------------------------------------------------------------------------------------
def connector_env(emulator: Any, **overrides: str) -> dict[str, str]:
    """The connector process's environment: through the emulator's proxy, trusting its CA, with a short read timeout
    (the emulator's slow responses outlast it) unless overridden."""
    env = {**os.environ, **emulator.client_env(), "ZENDESK_READ_TIMEOUT_SECONDS": "2"}
    env.update(overrides)
    return env


def guarded_env(base: Mapping[str, str], log_file: Path) -> dict[str, str]:
    """`base` plus the socket guard (guard/sitecustomize.py), which logs every connect, DNS lookup and proxy tunnel."""
    path = os.pathsep.join(filter(None, [str(GUARD_DIR), base.get("PYTHONPATH")]))
    return {**base, "PYTHONPATH": path, "RELIABILITY_SOCKET_LOG": str(log_file)}


def socket_events(log_file: Path) -> list[dict]:
    if not log_file.exists():
        return []
    return [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]


# -- catalogs and truth --------------------------------------------------------------------------------------------


def _page_size(stream: str) -> int:
    """The most records one page of the stream holds (Zendesk's time-based exports: 1,000)."""
    params = STREAM_CLASSES[stream].paginator.first_params()
    return int(next(iter(params.values()), 1000)) if params else 1000


PAGE_SIZE = {stream: _page_size(stream) for stream in STREAMS}


def truth_keys(emulator: Any, stream: str) -> set:
    return {key_value(row, stream) for row in emulator.control("GET", f"truth/{truth_resource(stream)}")}


def duplicates(rows: list[dict], stream: str) -> int:
    counts = Counter(key_value(row, stream) for row in rows)
    return sum(n - 1 for n in counts.values() if n > 1)


def catalog_for(discovered: dict, streams: Iterable[str] = STREAMS) -> dict:
    wanted = set(streams)
    configured = []
    for stream in discovered["streams"]:
        if stream["name"] not in wanted:
            continue
        incremental = "incremental" in stream.get("supported_sync_modes", [])
        entry: dict[str, Any] = {
            "stream": stream,
            "sync_mode": "incremental" if incremental else "full_refresh",
            "destination_sync_mode": "append_dedup" if incremental else "overwrite",
            "primary_key": stream.get("source_defined_primary_key"),
        }
        if incremental:
            entry["cursor_field"] = stream.get("default_cursor_field")
        configured.append(entry)
    return {"streams": configured}


def discover(env: Mapping[str, str], config: dict) -> dict:
    run = run_connector("discover", env, config=config)
    (catalog,) = [m["catalog"] for m in run.of_type("CATALOG")]
    return catalog
