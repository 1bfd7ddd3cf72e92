"""Run the real peer clients of the Zendesk Support API, unmodified, against the emulator.

The peers are Airbyte's official `source-zendesk-support` 4.9.1 (CDK 6.61.6) and singer's `tap-zendesk` 2.8.2. Each
lives in its own venv under bench/.venvs/<name>, created on demand from bench/requirements-<name>.txt (both need
Python 3.10-3.11). A peer reaches the emulator the way a customer's machine reaches Zendesk through a corporate proxy:
`HTTPS_PROXY` points at the emulator, and the emulator's CA is added to the peer's trust store by
bench/peer_site/sitecustomize.py (see its docstring for why an environment variable alone is not enough).

Used by bench/peers_check.py; the functions here know nothing about which streams a check reads.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
VENV_ROOT = BENCH_DIR / ".venvs"
PEER_SITE = BENCH_DIR / "peer_site"
PEER_PYTHON = os.environ.get("PEER_PYTHON", "python3.11")
INSTALL_MARKER = "peer-install.json"

# Variables that would send a peer's TLS or proxy lookups elsewhere; this machine exports several of them globally.
_OVERRIDDEN_ENV = (
    "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "NIX_SSL_CERT_FILE", "AWS_CA_BUNDLE",
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy",
    "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV",
)


@dataclass(frozen=True)
class Peer:
    name: str
    executable: str  # console script in the venv's bin/
    protocol: str  # "airbyte" or "singer": how its stdout is parsed
    venv_name: str = ""  # the venv it runs in, when another peer's (default: its own name)
    # Python run instead of the console script, for a variant that patches one thing of the installed package.
    launcher: str | None = None
    # A variant that reads only the streams the named peer's own catalog leaves out.
    complements: str | None = None

    @property
    def requirements(self) -> Path:
        return BENCH_DIR / f"requirements-{self.venv_name or self.name}.txt"

    @property
    def venv(self) -> Path:
        return VENV_ROOT / (self.venv_name or self.name)

    @property
    def bin(self) -> Path:
        return self.venv / "bin" / self.executable

    @property
    def command(self) -> list[str]:
        if self.launcher is None:
            return [str(self.bin)]
        return [str(self.venv / "bin" / "python"), "-c", self.launcher]


# The official connector 4.9.1 offers ticket_forms, account_attributes and attribute_definitions only after
# check_enterprise_streams (source.py:81-102) has read one ticket form; under CDK 6.61.6 that probe calls
# `stream_slices` on a concurrent `DefaultStream`, which has none, and the AttributeError is logged as a warning:
# the three streams are never discovered nor read, whatever the account's plan (notes/peer-findings.md B6). This
# launcher runs the same installed connector with only that probe replaced by "offer them all", what 4.9.1 would do
# on an Enterprise account were the probe working, so the emulator's answers to those three streams meet the
# official connector's manifest too.
_ENTERPRISE_PROBE_ANSWERED = (
    "import sys\n"
    "sys.path = [p for p in sys.path if p not in ('', '.')]  # `-c` puts the working directory first: our package\n"
    "from source_zendesk_support import run, source\n"
    "source.SourceZendeskSupport.check_enterprise_streams = lambda self, streams: list(streams)\n"
    "run.run()\n"
)

PEERS = {
    "official": Peer("official", "source-zendesk-support", "airbyte"),
    "official-enterprise": Peer("official-enterprise", "source-zendesk-support", "airbyte", venv_name="official",
                                launcher=_ENTERPRISE_PROBE_ANSWERED, complements="official"),
    "tap": Peer("tap", "tap-zendesk", "singer"),
}


@dataclass
class Install:
    peer: str
    reused: bool
    seconds: float  # of the install that built the venv (also when reused)
    python: str
    packages: dict[str, str]  # name -> version of the key packages


_KEY_PACKAGES = ("airbyte-source-zendesk-support", "airbyte-cdk", "pendulum", "tap-zendesk", "singer-python", "zenpy",
                 "aiohttp", "requests", "certifi")


def ensure_venv(peer: Peer, log=print) -> Install:
    """Create bench/.venvs/<venv> from its requirements file unless an install of the same requirements is there."""
    marker = peer.venv / INSTALL_MARKER
    wanted = peer.requirements.read_text()
    if marker.exists() and peer.bin.exists():
        recorded = json.loads(marker.read_text())
        if recorded.get("requirements") == wanted:
            return Install(peer.name, True, recorded["seconds"], recorded["python"], recorded["packages"])
    if peer.venv.exists():
        shutil.rmtree(peer.venv)
    log(f"[{peer.name}] creating {peer.venv} with {PEER_PYTHON} and installing {peer.requirements.name} ...")
    started = time.monotonic()
    subprocess.run([PEER_PYTHON, "-m", "venv", str(peer.venv)], check=True)
    pip = [str(peer.venv / "bin" / "python"), "-m", "pip"]
    result = subprocess.run([*pip, "install", "-q", "-r", str(peer.requirements)],
                            capture_output=True, text=True, env=_pip_env())
    seconds = round(time.monotonic() - started, 1)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-30:])
        raise RuntimeError(f"[{peer.name}] pip install failed after {seconds}s (exit {result.returncode}):\n{tail}")
    python = subprocess.run([str(peer.venv / "bin" / "python"), "-c", "import sys; print(sys.version.split()[0])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    freeze = subprocess.run([*pip, "list", "--format=json"], capture_output=True, text=True, check=True,
                            env=_pip_env()).stdout
    versions = {p["name"].lower(): p["version"] for p in json.loads(freeze)}
    packages = {name: versions[name] for name in _KEY_PACKAGES if name in versions}
    marker.write_text(json.dumps({"requirements": wanted, "seconds": seconds, "python": python,
                                  "packages": packages, "all_packages": len(versions)}, indent=2))
    log(f"[{peer.name}] installed in {seconds}s: {packages}")
    return Install(peer.name, False, seconds, python, packages)


def _pip_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def venv_size_mb(peer: Peer) -> int:
    total = sum(p.stat().st_size for p in peer.venv.rglob("*") if p.is_file() and not p.is_symlink())
    return round(total / 1e6)


# ---------------------------------------------------------------------------------------------------------------
# Trust and environment


def ca_bundle(peer: Peer, ca_file: str | Path, out_dir: Path) -> Path:
    """certifi's bundle of the peer's venv plus the emulator's CA, written to out_dir/<peer>-ca-bundle.pem."""
    certifi_pems = sorted(peer.venv.glob("lib/python*/site-packages/certifi/cacert.pem"))
    parts = [certifi_pems[0].read_text()] if certifi_pems else []
    parts.append(Path(ca_file).read_text())
    bundle = out_dir / f"{peer.name}-ca-bundle.pem"
    bundle.write_text("\n".join(part.rstrip("\n") + "\n" for part in parts))
    return bundle


def peer_env(info: dict[str, Any], bundle: Path) -> dict[str, str]:
    """The environment a peer runs in: the emulator as its HTTPS proxy, `bundle` as every trust store it may read."""
    env = {k: v for k, v in os.environ.items() if k not in _OVERRIDDEN_ENV}
    proxy = info["proxy_url"]
    env.update({
        "HTTPS_PROXY": proxy, "https_proxy": proxy,
        "REQUESTS_CA_BUNDLE": str(bundle), "SSL_CERT_FILE": str(bundle), "CURL_CA_BUNDLE": str(bundle),
        "PEER_CA_BUNDLE": str(bundle), "PEER_AIOHTTP_TRUST_ENV": "1",
        "PYTHONPATH": str(PEER_SITE),
        "PYTHONUNBUFFERED": "1",
    })
    return env


# ---------------------------------------------------------------------------------------------------------------
# Configs and catalogs


def official_config(info: dict[str, Any]) -> dict[str, Any]:
    """The info file's API-token config already has the connector's spec shape (spec.json)."""
    return dict(info["config"])


def tap_config(info: dict[str, Any]) -> dict[str, Any]:
    """tap-zendesk 2.8.2 sends `Bearer {access_token}` on every request it makes itself (tap_zendesk/http.py,
    streams.py: `self.config["access_token"]`), so email + api_token alone fail with KeyError: it needs the OAuth
    access token. Without `refresh_token` in the config it makes no token calls."""
    oauth = info["oauth_access_config"]
    return {"subdomain": oauth["subdomain"], "start_date": oauth["start_date"],
            "access_token": oauth["credentials"]["access_token"]}


def official_configured_catalog(discovered: dict[str, Any], streams: list[str]) -> dict[str, Any]:
    """Select `streams` from an Airbyte catalog: incremental where the stream supports it, else full refresh."""
    by_name = {s["name"]: s for s in discovered["streams"]}
    missing = [s for s in streams if s not in by_name]
    if missing:
        raise KeyError(f"streams not in the official connector's catalog: {missing}")
    configured = []
    for name in streams:
        stream = by_name[name]
        incremental = "incremental" in stream.get("supported_sync_modes", [])
        configured.append({
            "stream": stream,
            "sync_mode": "incremental" if incremental else "full_refresh",
            "destination_sync_mode": "append",
            **({"cursor_field": stream["default_cursor_field"]} if incremental and stream.get("default_cursor_field")
               else {}),
        })
    return {"streams": configured}


def tap_selected_catalog(discovered: dict[str, Any], streams: list[str]) -> dict[str, Any]:
    """Mark `streams` selected (top-level metadata breadcrumb []) in a singer catalog; leave the others unselected."""
    catalog = json.loads(json.dumps(discovered))
    names = {s["tap_stream_id"] for s in catalog["streams"]}
    missing = [s for s in streams if s not in names]
    if missing:
        raise KeyError(f"streams not in tap-zendesk's catalog: {missing}")
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] in streams
    return catalog


def primary_keys(peer: Peer, catalog: dict[str, Any]) -> dict[str, list[str]]:
    """stream -> primary key fields, as the peer itself declares them."""
    keys = {}
    for stream in catalog["streams"]:
        if peer.protocol == "airbyte":
            stream = stream.get("stream", stream)
            keys[stream["name"]] = [path[0] for path in stream.get("source_defined_primary_key") or []]
        else:
            top = next(m["metadata"] for m in stream["metadata"] if m["breadcrumb"] == [])
            keys[stream["tap_stream_id"]] = list(top.get("table-key-properties") or [])
    return keys


# ---------------------------------------------------------------------------------------------------------------
# Running and parsing


@dataclass
class Run:
    args: list[str]
    exit_code: int
    seconds: float
    stdout: Path
    stderr: Path
    timed_out: bool = False

    def stderr_tail(self, lines: int = 15) -> str:
        return "\n".join(self.stderr.read_text(errors="replace").splitlines()[-lines:])


def run_peer(peer: Peer, args: list[str], env: dict[str, str], out_dir: Path, label: str,
             timeout: float = 1800) -> Run:
    stdout, stderr = out_dir / f"{peer.name}-{label}.out", out_dir / f"{peer.name}-{label}.err"
    command = [*peer.command, *args]
    started = time.monotonic()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=out_dir, stdin=subprocess.DEVNULL)
        try:
            code = process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
            timed_out = True
    return Run(command, code, round(time.monotonic() - started, 2), stdout, stderr, timed_out)


@dataclass
class Output:
    """What a peer printed: records per stream, their primary keys, and what it said about itself."""

    records: Counter = field(default_factory=Counter)
    ids: dict[str, set] = field(default_factory=dict)
    missing_key: Counter = field(default_factory=Counter)  # records without their primary key
    # stream -> key -> the captured fields the record has (a field it lacks is left out, not None)
    fields: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    states: int = 0
    status: str | None = None  # Airbyte CONNECTION_STATUS
    status_message: str | None = None
    errors: list[str] = field(default_factory=list)  # Airbyte TRACE errors / singer CRITICAL lines
    catalog: dict[str, Any] | None = None
    other_lines: int = 0


def _messages(path: Path) -> Iterator[dict[str, Any] | None]:
    with path.open("rb") as lines:
        for line in lines:
            line = line.strip()
            if not line:
                continue
            try:
                message = json.loads(line)
            except ValueError:
                yield None
                continue
            yield message if isinstance(message, dict) else None


def _key_of(record: dict[str, Any], key: list[str]) -> Any:
    values = tuple(record.get(k) for k in key)
    if not key or any(v is None for v in values):
        return None
    return values[0] if len(values) == 1 else values


def parse_output(peer: Peer, stdout: Path, keys: dict[str, list[str]] | None = None,
                 capture: dict[str, tuple[str, ...]] | None = None) -> Output:
    """Count a peer's messages. `keys`: primary key per stream (default `id`); `capture`: fields to keep per record."""
    keys, capture = keys or {}, capture or {}
    output = Output()
    for message in _messages(stdout):
        if message is None:
            output.other_lines += 1
            continue
        kind = message.get("type")
        if kind == "RECORD":
            if peer.protocol == "airbyte":
                stream, data = message["record"]["stream"], message["record"]["data"]
            else:
                stream, data = message["stream"], message["record"]
            output.records[stream] += 1
            key = _key_of(data, keys.get(stream, ["id"]))
            if key is None:
                output.missing_key[stream] += 1
            else:
                output.ids.setdefault(stream, set()).add(key)
                if stream in capture:
                    output.fields.setdefault(stream, {})[key] = {f: data[f] for f in capture[stream] if f in data}
        elif kind == "STATE":
            output.states += 1
        elif kind == "CONNECTION_STATUS":
            output.status = message["connectionStatus"]["status"]
            output.status_message = message["connectionStatus"].get("message")
        elif kind == "CATALOG":
            output.catalog = message["catalog"]
        elif kind == "TRACE" and message.get("trace", {}).get("type") == "ERROR":
            output.errors.append(message["trace"]["error"].get("message", ""))
        elif kind is None and "streams" in message:  # singer discovery prints the bare catalog
            output.catalog = message
    if peer.protocol == "singer" and output.catalog is None:
        text = stdout.read_text(errors="replace").strip()
        if text.startswith("{"):
            try:
                output.catalog = json.loads(text)
            except ValueError:
                pass
    return output


def singer_errors(stderr: Path) -> list[str]:
    return [line for line in stderr.read_text(errors="replace").splitlines() if line.startswith("CRITICAL")]


# ---------------------------------------------------------------------------------------------------------------
# Emulator control routes


class Control:
    """Client of the emulator's /_emulator routes (plain HTTP on loopback, never through a proxy)."""

    def __init__(self, control_url: str):
        self.url = control_url.rstrip("/")
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, method: str, route: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/{route}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with self._opener.open(request, timeout=120) as response:
            return json.loads(response.read())

    def get(self, route: str) -> Any:
        return self._call("GET", route)

    def post(self, route: str, body: Any = None) -> Any:
        return self._call("POST", route, body if body is not None else {})

    def put(self, route: str, body: Any) -> Any:
        return self._call("PUT", route, body)


def api_get(info: dict[str, Any], path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """GET https://<subdomain>.zendesk.com/api/v2/<path> through the emulator with the info file's API token.

    For the harness's own look-ups (facts the truth rows do not carry), never for a peer."""
    import requests  # the harness venv has it; peers.py itself stays importable without

    creds = info["config"]["credentials"]
    session = requests.Session()
    session.trust_env = False  # the globally exported REQUESTS_CA_BUNDLE would override `verify`
    session.proxies = {"https": info["proxy_url"]}
    session.verify = info["ca_file"]
    with session:
        response = session.get(info["base_url"] + path, params=params, timeout=60,
                               auth=(f"{creds['email']}/token", creds["api_token"]))
        response.raise_for_status()
        return response.json()


def load_info(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def main() -> int:
    """`python bench/peers.py [official|tap ...]`: create (or reuse) the peer venvs and print the install figures."""
    names = sys.argv[1:] or list(PEERS)
    for name in names:
        install = ensure_venv(PEERS[name])
        how = "reused (install took" if install.reused else "installed in"
        print(f"{name}: {how} {install.seconds}s{')' if install.reused else ''}, Python {install.python}, "
              f"{venv_size_mb(PEERS[name])} MB, {install.packages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
