"""Start the bundled Zendesk emulator as its own process and talk to its control API (stdlib only)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# Ground truth resource for each stream: the emulator names them as the streams are named.
STREAMS = (
    "tickets",
    "users",
    "organizations",
    "groups",
    "group_memberships",
    "macros",
    "tags",
    "ticket_fields",
    "ticket_metrics",
    "ticket_audits",
)


class EmulatedAccount:
    """`with EmulatedAccount(tickets=2000) as zd:` gives `zd.info` (proxy_url, ca_file, config...) and control calls."""

    def __init__(self, *, seed: int = 1, tickets: int = 2000, extra_args: list[str] | None = None, ready_timeout: float = 120):
        self.args = ["--seed", str(seed), "--tickets", str(tickets), *(extra_args or [])]
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen | None = None
        self.info: dict = {}
        self._tmp = tempfile.TemporaryDirectory(prefix="zendesk-emulator-")

    def __enter__(self) -> EmulatedAccount:
        info_file = Path(self._tmp.name) / "info.json"
        log = open(Path(self._tmp.name) / "emulator.log", "wb")
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zendesk_emulator", "--port", "0", "--state-dir", self._tmp.name,
             "--info-file", str(info_file), *self.args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + self.ready_timeout
        while not info_file.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.proc.returncode}: {self.log_tail()}")
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError("emulator did not start in time: " + self.log_tail())
            time.sleep(0.05)
        time.sleep(0.05)  # the file is written once; give the writer a moment to close it
        self.info = json.loads(info_file.read_text())
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._tmp.cleanup()

    def log_tail(self, lines: int = 30) -> str:
        path = Path(self._tmp.name) / "emulator.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def control(self, method: str, path: str, body: dict | None = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.info['control_url']}/{path.lstrip('/')}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=60) as response:
            payload = response.read()
        return json.loads(payload) if payload else None

    def truth(self, resource: str) -> list[dict]:
        return self.control("GET", f"truth/{resource}")  # type: ignore[return-value]

    def mutate(self, resource: str, create: int = 0, update: int = 0, delete: int = 0) -> dict:
        return self.control("POST", "mutate", {"resource": resource, "create": create, "update": update, "delete": delete})  # type: ignore[return-value]

    def advance_clock(self, seconds: float) -> None:
        self.control("POST", "clock/advance", {"seconds": seconds})

    def stats(self) -> dict:
        return self.control("GET", "stats")  # type: ignore[return-value]

    def reset_stats(self) -> None:
        self.control("POST", "stats/reset")

    def settings(self, **changes) -> dict:
        return self.control("PUT", "settings", changes)  # type: ignore[return-value]


def key_of(stream: str) -> str:
    return "name" if stream == "tags" else "id"
