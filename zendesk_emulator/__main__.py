"""`python -m zendesk_emulator`: run a fake Zendesk Support account on one local port until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from zendesk_emulator.clock import Clock
from zendesk_emulator.emulator import Emulator
from zendesk_emulator.server import EmulatorServer
from zendesk_emulator.settings import PLANS, Settings, SettingsError
from zendesk_emulator.tls import server_context

DEFAULT_ACCOUNT = "zendesk_emulator.account:ZendeskAccount"
START_DATE_YEARS_BACK = 10

EPILOG = """\
how clients reach it:
  HTTPS_PROXY=<proxy_url> REQUESTS_CA_BUNDLE=<ca_file> and the real URL https://<subdomain>.zendesk.com/api/v2/...
  (CONNECT is answered for *.zendesk.com:443 only; other subdomains get Zendesk's "No help desk" 404).
  Plain HTTP on the same port also works: http://127.0.0.1:PORT/api/v2/... and absolute-form proxy requests.

credentials (derived from --seed; all written to --info-file):
  API token  Authorization: Basic base64("<email>/token:<api_token>")
  OAuth      POST /oauth/tokens grant_type=refresh_token (refresh tokens rotate on use), or the static bearer token

control routes (no auth, never faulted, not counted): <control_url>/
  GET health | GET stats | POST stats/reset | GET truth/<resource> | POST mutate | GET/PUT settings
  GET clock | POST clock/advance {"seconds": n} | GET info

settings (PUT <control_url>/settings, partial JSON; also --settings at start):
  plan, time_scale, fault_rate (0..1, a mix of every kind), faults {"route"|"*": {kind: rate}},
  forbidden [route names answered 403], slow_seconds, fault_sequence {"route"|"*": [kind|"ok", ...]},
  burst_length (429s per burst), fault_retry_after (Retry-After of injected 429s), oauth_access_ttl
fault kinds: 500 502 503 504 504_html 429 reset truncate incomplete slow
"""


def _load(spec: str) -> tuple[Any, Any]:
    """The account class named by `module:attribute` and the `Sizes` dataclass of that module."""
    module_name, _, attribute = spec.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute or "ZendeskAccount"), getattr(module, "Sizes", None)


def _size_options(sizes_cls: Any) -> dict[str, type]:
    """Numeric fields of the account's Sizes dataclass, each becoming a --option (--tickets, --users, ...)."""
    if sizes_cls is None or not dataclasses.is_dataclass(sizes_cls):
        return {"tickets": int}
    options: dict[str, type] = {}
    for f in dataclasses.fields(sizes_cls):
        kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        if "float" in kind:
            options[f.name] = float
        elif "int" in kind:
            options[f.name] = int
    return options


def _anchor(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a unix time or ISO 8601 datetime: {value!r}") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def build_parser(sizes_cls: Any) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m zendesk_emulator",
        description="A local Zendesk Support API (deterministic data, real auth, rate limits and faults) "
        "served as plain HTTP and as an HTTPS CONNECT proxy for *.zendesk.com.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    net = parser.add_argument_group("network")
    net.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    net.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default 0)")
    net.add_argument("--subdomain", default="acme", help="the account's subdomain (default acme)")
    net.add_argument("--state-dir", type=Path, help="where the CA (ca.pem, ca-key.pem) lives; reused if present "
                     "(default: a temporary directory removed on exit)")
    net.add_argument("--info-file", type=Path, help="write a JSON description (urls, ca_file, configs, pid, seed, "
                     "counts) here once listening")
    net.add_argument("--verbose", action="store_true", help="log one line per request to stderr")

    data = parser.add_argument_group("data")
    data.add_argument("--seed", type=int, default=1, help="seed of the data, the credentials and the faults (default 1)")
    data.add_argument("--anchor", type=_anchor, help="emulated 'now' at start: unix seconds or ISO 8601 (default: now)")
    data.add_argument("--account", default=DEFAULT_ACCOUNT, help=f"account class as module:Class (default {DEFAULT_ACCOUNT})")
    for name, kind in _size_options(sizes_cls).items():
        data.add_argument(f"--{name.replace('_', '-')}", dest=f"size_{name}", type=kind, metavar="N",
                          help=f"size: {name.replace('_', ' ')} (default: the account's"
                          + (")" if name == "tickets" else ", derived from --tickets)"))

    behaviour = parser.add_argument_group("behaviour (all changeable later with PUT /_emulator/settings)")
    behaviour.add_argument("--plan", choices=list(PLANS), default="enterprise",
                           help="rate limits per minute: team 200, growth/professional 400, enterprise 700, high-volume "
                           "2500 (exports 30), unlimited; exports 10/min otherwise (default enterprise)")
    behaviour.add_argument("--time-scale", type=float, default=1.0, help="emulated seconds per real second; with N a "
                           "rate-limit minute lasts 60/N real seconds (default 1)")
    behaviour.add_argument("--fault-rate", type=float, default=0.0, help="share of API responses that fail, a mix of "
                           "every fault kind (default 0)")
    behaviour.add_argument("--slow-seconds", type=float, default=30.0, help="delay of the 'slow' fault (default 30)")
    behaviour.add_argument("--oauth-access-ttl", type=int, default=1800, help="lifetime of refreshed OAuth access "
                           "tokens in emulated seconds (default 1800)")
    behaviour.add_argument("--settings", type=json.loads, default={}, help="initial settings as a JSON object, "
                           "applied after the options above")
    return parser


def _start_date(anchor: float) -> str:
    start = datetime.fromtimestamp(anchor, UTC).replace(microsecond=0)
    start = start.replace(year=start.year - START_DATE_YEARS_BACK, day=min(start.day, 28))
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_info(emulator: Emulator, server: EmulatorServer, ca_file: Path, anchor: float) -> dict[str, Any]:
    host, port = cast(tuple[str, int], server.server_address[:2])  # an AF_INET address
    host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    url = f"http://{host}:{port}"
    sub = emulator.account.subdomain
    creds = emulator.credentials
    base = {"subdomain": sub, "start_date": _start_date(anchor)}
    return {
        "proxy_url": url,
        "control_url": f"{url}/_emulator",
        "ca_file": str(ca_file),
        "subdomain": sub,
        "base_url": f"https://{sub}.zendesk.com/api/v2/",
        "config": {**base, "credentials": {"credentials": "api_token", "email": creds.email, "api_token": creds.api_token}},
        "oauth_config": {**base, "credentials": {
            "credentials": "oauth2_refresh", "client_id": creds.client_id, "client_secret": creds.client_secret,
            "refresh_token": creds.refresh_token}},
        "oauth_access_config": {**base, "credentials": {"credentials": "oauth2.0", "access_token": creds.static_access_token}},
        "pid": os.getpid(),
        "seed": emulator.seed,
        "counts": emulator.account.counts(),
    }


def _write_atomically(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(payload, indent=2))
    os.replace(partial, path)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--account", default=DEFAULT_ACCOUNT)
    try:
        account_cls, sizes_cls = _load(pre.parse_known_args(argv)[0].account)
        load_error = None
    except (ImportError, AttributeError) as error:
        account_cls, sizes_cls, load_error = None, None, error
    parser = build_parser(sizes_cls)
    args = parser.parse_args(argv)
    if account_cls is None:
        parser.error(f"cannot load the account class {args.account}: {load_error}")
    try:
        settings = Settings(oauth_access_ttl=args.oauth_access_ttl).updated({
            "plan": args.plan, "time_scale": args.time_scale, "fault_rate": args.fault_rate,
            "slow_seconds": args.slow_seconds,
        }).updated(args.settings)
    except SettingsError as error:
        parser.error(str(error))
    sizes_given = {k[len("size_"):]: v for k, v in vars(args).items() if k.startswith("size_") and v is not None}
    sizes = sizes_cls(**sizes_given) if sizes_cls is not None else None

    anchor = args.anchor if args.anchor is not None else datetime.now(UTC).timestamp()
    clock = Clock(anchor=anchor, time_scale=settings.time_scale)
    account = account_cls(seed=args.seed, sizes=sizes, clock=clock, subdomain=args.subdomain)
    emulator = Emulator(account, clock, args.seed, settings)

    own_state_dir = args.state_dir is None
    state_dir = Path(tempfile.mkdtemp(prefix="zendesk-emulator-")) if own_state_dir else args.state_dir
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        context, ca_file = server_context(state_dir)
        server = EmulatorServer(emulator, context, args.host, args.port, verbose=args.verbose)
        emulator.info = build_info(emulator, server, ca_file, anchor)
        server.start()
        if args.info_file:
            _write_atomically(args.info_file, emulator.info)
        print(f"zendesk emulator: {emulator.info['proxy_url']} (subdomain {account.subdomain}, seed {args.seed})",
              file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
        server.stop()
    finally:
        if own_state_dir:
            shutil.rmtree(state_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
