"""Start an emulator for a test or a script, talk to its control routes, and point clients at it.

    with EmulatorProcess(tickets=500, plan="unlimited") as emu:       # `python -m zendesk_emulator ...`
        emu.control("PUT", "settings", json={"fault_rate": 0.1})
        session = emu.session()                                        # proxy + CA already set
        session.get(emu.info["base_url"] + "users/me.json", auth=...)
        subprocess.run([...], env={**os.environ, **emu.client_env()})  # for another process

    emulator = emulator_fixture(tickets=200)                           # in a test module: a pytest fixture

`EmulatorProcess(*args, **options)`: options become CLI flags (`time_scale=10` -> `--time-scale 10`, `verbose=True`
-> `--verbose`); the info file, port and state directory are handled here. `serve_in_thread(...)` runs the same
server inside the current process (faster to start; handy when a test wants the account object itself).
"""

from __future__ import annotations

import json as jsonlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import requests


class EmulatorError(RuntimeError):
    pass


class _Client:
    info: dict[str, Any]
    _initial_settings: dict[str, Any]

    def __init__(self) -> None:
        self._control = requests.Session()
        self._control.trust_env = False  # never through a proxy from the environment

    def control(self, method: str, path: str, json: Any = None, timeout: float = 60) -> Any:
        """Call `/_emulator/<path>`; returns the decoded JSON, raises EmulatorError on a 4xx/5xx. A benchmark's
        truth of millions of rows on a busy machine needs a longer `timeout`."""
        path = path.lstrip("/").removeprefix("_emulator/")
        response = self._control.request(method, f"{self.info['control_url']}/{path}", json=json, timeout=timeout)
        if response.status_code >= 400:
            raise EmulatorError(f"{method} /_emulator/{path} -> {response.status_code}: {response.text[:500]}")
        return response.json()

    def session(self) -> requests.Session:
        """A requests session that reaches https://<subdomain>.zendesk.com through the emulator, trusting its CA.

        `trust_env` is off: with it, requests lets the globally exported REQUESTS_CA_BUNDLE override `verify`.
        """
        session = requests.Session()
        session.trust_env = False
        session.proxies = {"https": self.info["proxy_url"], "http": self.info["proxy_url"]}
        session.verify = self.info["ca_file"]
        return session

    def client_env(self) -> dict[str, str]:
        """Environment for a client process (CDK connectors, curl) to use the emulator."""
        proxy, ca = self.info["proxy_url"], self.info["ca_file"]
        return {
            "HTTPS_PROXY": proxy, "https_proxy": proxy,
            "REQUESTS_CA_BUNDLE": ca, "SSL_CERT_FILE": ca, "CURL_CA_BUNDLE": ca,
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        }

    def reset(self) -> None:
        """Back to the settings it started with; stats, fault draws and fault sequences start over."""
        self.control("PUT", "settings", json=self._initial_settings)
        self.control("POST", "stats/reset")

    def url(self, path: str) -> str:
        """`https://<subdomain>.zendesk.com/api/v2/<path>`."""
        return self.info["base_url"] + path.lstrip("/")

    def api_token_auth(self) -> tuple[str, str]:
        creds = self.info["config"]["credentials"]
        return f"{creds['email']}/token", creds["api_token"]

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> int:
        raise NotImplementedError


def _flags(args: tuple[str, ...], options: dict[str, Any]) -> list[str]:
    flags = list(args)
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            flags.append(flag)
        elif value not in (None, False):
            flags += [flag, jsonlib.dumps(value) if isinstance(value, dict | list) else str(value)]
    return flags


class EmulatorProcess(_Client):
    """`python -m zendesk_emulator` as a subprocess; ready once its --info-file exists."""

    def __init__(self, *args: str, python: str | None = None, startup_timeout: float = 60.0,
                 env: dict[str, str] | None = None, **options: Any):
        super().__init__()
        self._dir = Path(tempfile.mkdtemp(prefix="zendesk-emulator-run-"))
        self.info_file = self._dir / "info.json"
        options.setdefault("state_dir", str(self._dir / "state"))
        self.command = [python or sys.executable, "-m", "zendesk_emulator", "--info-file", str(self.info_file),
                        *_flags(args, options)]
        # The package may not be installed: make `-m zendesk_emulator` importable from any working directory.
        self._env = dict(os.environ if env is None else env)
        root = str(Path(__file__).resolve().parents[1])
        self._env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, self._env.get("PYTHONPATH")]))
        self._timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.returncode: int | None = None
        self.info = {}

    def start(self) -> EmulatorProcess:
        self._stderr = open(self._dir / "stderr.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=self._stderr, env=self._env)
        deadline = time.monotonic() + self._timeout
        while not self.info_file.exists():
            if self.process.poll() is not None:
                raise EmulatorError(f"emulator exited with {self.process.returncode}: {self.stderr()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise EmulatorError(f"emulator not ready after {self._timeout}s: {self.stderr()[-2000:]}")
            time.sleep(0.02)
        self.info = jsonlib.loads(self.info_file.read_text())
        self._initial_settings = self.control("GET", "settings")
        return self

    def stderr(self) -> str:
        path = self._dir / "stderr.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, wait, and return the exit code (SIGKILL if it does not exit in time)."""
        if self.process is not None and self.returncode is None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.returncode = self.process.returncode
            self._stderr.close()
            self._control.close()
            shutil.rmtree(self._dir, ignore_errors=True)
        return self.returncode if self.returncode is not None else 0

    def __enter__(self) -> EmulatorProcess:
        return self.start()


class InProcessEmulator(_Client):
    """The same server in a thread of this process; `account` and `emulator` are there to inspect."""

    def __init__(self, account_factory: Callable[..., Any], seed: int = 1, sizes: Any = None, subdomain: str = "acme",
                 settings: dict[str, Any] | None = None, anchor: float | None = None, verbose: bool = False):
        from zendesk_emulator.__main__ import build_info
        from zendesk_emulator.clock import Clock
        from zendesk_emulator.emulator import Emulator
        from zendesk_emulator.server import EmulatorServer
        from zendesk_emulator.settings import Settings
        from zendesk_emulator.tls import server_context

        super().__init__()
        self._dir = Path(tempfile.mkdtemp(prefix="zendesk-emulator-thread-"))
        initial = Settings().updated(settings or {})
        self.clock = Clock(anchor=anchor, time_scale=initial.time_scale)
        self.account = account_factory(seed=seed, sizes=sizes, clock=self.clock, subdomain=subdomain)
        self.emulator = Emulator(self.account, self.clock, seed, initial)
        context, ca_file = server_context(self._dir)
        self.server = EmulatorServer(self.emulator, context, verbose=verbose)
        self.info = self.emulator.info = build_info(self.emulator, self.server, ca_file, self.clock.now())
        self.server.start()
        self._initial_settings = initial.to_json()
        self._stopped = False

    def stop(self) -> int:
        if not self._stopped:
            self._stopped = True
            self.server.stop()
            self._control.close()
            shutil.rmtree(self._dir, ignore_errors=True)
        return 0


def serve_in_thread(account_factory: Callable[..., Any] | None = None, **kwargs: Any) -> InProcessEmulator:
    if account_factory is None:
        from zendesk_emulator.account import ZendeskAccount

        account_factory = ZendeskAccount
    return InProcessEmulator(account_factory, **kwargs)


def emulator_fixture(*args: str, scope: Literal["session", "package", "module", "class", "function"] = "module",
                     **options: Any):
    """A pytest fixture running `EmulatorProcess(*args, **options)` for the given scope."""
    import pytest

    @pytest.fixture(scope=scope)
    def _emulator():
        with EmulatorProcess(*args, **options) as emulator:
            yield emulator

    return _emulator


__all__ = ["EmulatorError", "EmulatorProcess", "InProcessEmulator", "emulator_fixture", "serve_in_thread"]
