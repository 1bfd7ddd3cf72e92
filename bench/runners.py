"""The four readers the benchmark runs, each as its own process, and how one run is measured.

- ours: this repository's connector (`python main.py`, CDK 7)
- official: Airbyte's `source-zendesk-support` 4.9.1 (CDK 6.61.6) in bench/.venvs/official
- tap: singer's `tap-zendesk` 2.8.2 in bench/.venvs/tap
- floor: bench/floor.py, a bare CDK 7 HttpStream per stream reading the pages ours reads

A run is measured on the child alone: wall seconds from spawn to exit, CPU seconds (user + sys) from `os.wait4` on
that pid (so the harness and the emulator are not counted), peak RSS from its /proc/<pid>/status (see PeakMemory). Its stdout is scanned as it streams: records
are counted per stream from the start of each line (no JSON parse per record); other lines are parsed for the state
to resume from and for error traces.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bench import peers as P
from scripts.airbyte_run import STREAMS, configured_catalog

ROOT = Path(__file__).resolve().parents[1]
_STREAM_NAME = re.compile(rb'"stream":\s*"([^"]+)"')


@dataclass
class Measurement:
    exit_code: int
    timed_out: bool
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    records: dict[str, int]
    state: Any = None  # what the next run gets as --state
    errors: list[str] = field(default_factory=list)
    stderr_tail: str = ""

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


@dataclass
class Scan:
    """What a connector printed, reduced to counts, the state to resume from and its error messages."""

    protocol: str  # "airbyte" or "singer"
    records: Counter = field(default_factory=Counter)
    airbyte_states: dict[str, dict] = field(default_factory=dict)  # stream -> newest per-stream state message
    singer_state: Any = None
    errors: list[str] = field(default_factory=list)

    def line(self, line: bytes) -> None:
        head = line[:40]
        if b'"RECORD"' in head:
            found = _STREAM_NAME.search(line, 0, 300)
            if found:
                self.records[found.group(1).decode()] += 1
            return
        if not line.startswith(b"{") or not (b'"STATE"' in head or b'"TRACE"' in head):
            return
        try:
            message = json.loads(line)
        except ValueError:
            return
        if message.get("type") == "STATE":
            state = message.get("state") if self.protocol == "airbyte" else message.get("value")
            if self.protocol == "singer":
                self.singer_state = state
            elif isinstance(state, dict) and state.get("type") == "STREAM":
                self.airbyte_states[state["stream"]["stream_descriptor"]["name"]] = state
        elif message.get("type") == "TRACE" and (message.get("trace") or {}).get("type") == "ERROR":
            error = message["trace"].get("error") or {}
            self.errors.append(str(error.get("message") or error.get("internal_message"))[:500])

    def resume_state(self) -> Any:
        return self.singer_state if self.protocol == "singer" else list(self.airbyte_states.values()) or None


def measure(command: list[str], env: dict[str, str], protocol: str, stderr_path: Path, timeout: float,
            cpus: set[int] | None = None, cwd: Path | None = None) -> Measurement:
    """Run `command` to its end (or kill it after `timeout` seconds) and measure that one process."""
    scan = Scan(protocol)
    with stderr_path.open("wb") as stderr:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, env=env,
                                   cwd=cwd, bufsize=1 << 20)
        if cpus:
            os.sched_setaffinity(process.pid, cpus)  # threads started later inherit it
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        peak = PeakMemory(process.pid)
        try:
            _read_lines(process.stdout, scan)
            peak.stop()
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            peak.stop()
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    tail = "\n".join(stderr_path.read_text(errors="replace").splitlines()[-15:])
    return Measurement(
        exit_code=process.returncode,
        timed_out=timed_out.is_set(),
        wall_seconds=round(wall, 2),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mb=round(peak.kilobytes / 1024, 1),
        records=dict(sorted(scan.records.items())),
        state=scan.resume_state(),
        errors=scan.errors[-5:],
        stderr_tail=tail,
    )


class PeakMemory:
    """The process's peak RSS, read from /proc/<pid>/status (VmHWM) every `interval` seconds until it ends.

    Not `ru_maxrss` from wait4: Linux carries the RSS high-water mark across exec, so a child forked (or vforked) from a
    large harness reports at least the harness's peak. VmHWM belongs to the process's own memory map since exec, and
    only grows, so the last reading before the process ends is its peak (the final stretch of a sync, when nothing is
    buffered any more, is never the peak)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.kilobytes = 0
        self._path, self._interval = Path(f"/proc/{pid}/status"), interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stopped.is_set():
            self._read()
            self._stopped.wait(self._interval)

    def _read(self) -> None:
        try:
            text = self._path.read_text()
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                self.kilobytes = max(self.kilobytes, int(line.split()[1]))

    def stop(self) -> None:
        """Called once stdout closed (the process is ending, not yet reaped): one last reading, then no more."""
        if not self._stopped.is_set():
            self._read()
            self._stopped.set()
            self._thread.join()


def _read_lines(pipe: IO[bytes], scan: Scan) -> None:
    with pipe:
        for line in pipe:
            scan.line(line)


# ---------------------------------------------------------------------------------------------------------------
# The readers


class Reader:
    """One connector under test: `prepare` writes its config and catalog (not measured), `read` is one sync.

    It reads every stream of our catalog (STREAMS) that it has (`only`: those of these), in its own catalog's
    order; `streams` names them once prepared."""

    name: str
    protocol = "airbyte"

    def __init__(self, info: dict[str, Any], work_dir: Path, timeout: float, cpus: set[int] | None = None,
                 name: str | None = None, only: list[str] | None = None) -> None:
        self.info, self.timeout, self.cpus = info, timeout, cpus
        self.name = name or self.name
        self.wanted = [s for s in STREAMS if only is None or s in only]
        self.streams: list[str] = []
        self.dir = work_dir / self.name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.runs = 0

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        return dict(self.info["config"])

    def configured_catalog(self, discovered: dict[str, Any]) -> dict[str, Any]:
        return configured_catalog(discovered, self.wanted)

    def prepare(self) -> None:
        self.config_file = self._write("config.json", self.config())
        discover = subprocess.run([*self.command(), "discover", "--config", str(self.config_file)], env=self.env(),
                                  capture_output=True, cwd=self.dir, timeout=600)
        catalogs = [m["catalog"] for m in _json_lines(discover.stdout) if m.get("type") == "CATALOG"]
        if not catalogs:
            raise RuntimeError(f"[{self.name}] discover printed no catalog: {discover.stderr[-1500:]!r}")
        catalog = self.configured_catalog(catalogs[0])
        self.streams = [entry["stream"]["name"] for entry in catalog["streams"]]
        self.catalog_file = self._write("catalog.json", catalog)

    def read_args(self, state_file: Path | None) -> list[str]:
        args = ["read", "--config", str(self.config_file), "--catalog", str(self.catalog_file)]
        return args + (["--state", str(state_file)] if state_file else [])

    def read(self, label: str, state: Any = None) -> Measurement:
        self.runs += 1
        state_file = self._write(f"state-{label}.json", state) if state is not None else None
        stderr = self.dir / f"{label}.stderr"
        return measure([*self.command(), *self.read_args(state_file)], self.env(), self.protocol, stderr,
                       self.timeout, self.cpus, self.dir)

    def _write(self, name: str, value: Any) -> Path:
        path = self.dir / name
        path.write_text(json.dumps(value))
        return path


def _json_lines(output: bytes) -> list[dict]:
    messages = []
    for line in output.splitlines():
        if line.startswith(b"{"):
            try:
                messages.append(json.loads(line))
            except ValueError:
                pass
    return messages


class _Local(Reader):
    """A CDK 7 source of this repository, run with the harness's own interpreter."""

    module: list[str]

    def command(self) -> list[str]:
        return [sys.executable, *self.module]

    def env(self) -> dict[str, str]:
        proxy, ca = self.info["proxy_url"], self.info["ca_file"]
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NO_PROXY", "no_proxy")}
        env.update({"HTTPS_PROXY": proxy, "https_proxy": proxy, "REQUESTS_CA_BUNDLE": ca, "SSL_CERT_FILE": ca,
                    "CURL_CA_BUNDLE": ca, "PYTHONPATH": str(ROOT)})
        return env


class Ours(_Local):
    name = "ours"
    module = [str(ROOT / "main.py")]


class OursPlain(Ours):
    """Ours without custom field columns (`custom_field_columns: false`: the standard columns only), to measure what
    the typed columns cost: ours must keep 95% of this reader's records per CPU-second (report.targets)."""

    name = "ours-plain"

    def config(self) -> dict[str, Any]:
        return {**super().config(), "custom_field_columns": False}


class Floor(_Local):
    name = "floor"
    module = ["-m", "bench.floor"]


class _Peer(Reader):
    peer: P.Peer

    def command(self) -> list[str]:
        return [str(self.peer.bin)]

    def env(self) -> dict[str, str]:
        if not hasattr(self, "_env"):
            self._env = P.peer_env(self.info, P.ca_bundle(self.peer, self.info["ca_file"], self.dir))
        return self._env


class Official(_Peer):
    name = "official"
    peer = P.PEERS["official"]

    def config(self) -> dict[str, Any]:
        return P.official_config(self.info)

    def configured_catalog(self, discovered: dict[str, Any]) -> dict[str, Any]:
        """The streams of ours it has, matched by name, in our catalog's order."""
        have = {stream["name"] for stream in discovered["streams"]}
        return P.official_configured_catalog(discovered, [s for s in self.wanted if s in have])


class Tap(_Peer):
    name = "tap"
    peer = P.PEERS["tap"]
    protocol = "singer"

    def config(self) -> dict[str, Any]:
        return P.tap_config(self.info)

    def prepare(self) -> None:
        """The tap's discovery is its check: it requests every stream's endpoint once."""
        self.config_file = self._write("config.json", self.config())
        discover = subprocess.run([*self.command(), "--config", str(self.config_file), "--discover"], env=self.env(),
                                  capture_output=True, cwd=self.dir, timeout=600)
        text = discover.stdout.decode(errors="replace").strip()
        try:
            discovered = json.loads(text[text.index("{"):])
        except ValueError:
            raise RuntimeError(f"[tap] discovery printed no catalog: {discover.stderr[-1500:]!r}") from None
        have = {stream["tap_stream_id"] for stream in discovered["streams"]}
        self.streams = [s for s in self.wanted if s in have]
        self.catalog_file = self._write("catalog.json", P.tap_selected_catalog(discovered, self.streams))

    def read_args(self, state_file: Path | None) -> list[str]:
        args = ["--config", str(self.config_file), "--catalog", str(self.catalog_file)]
        return args + (["--state", str(state_file)] if state_file else [])


READERS: dict[str, type[Reader]] = {"ours": Ours, "ours-plain": OursPlain, "official": Official, "tap": Tap,
                                    "floor": Floor}
