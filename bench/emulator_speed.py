"""How fast the emulator serves the ticket export through its proxy: tickets/s in 1,000-record pages over TLS.

    .venv/bin/python bench/emulator_speed.py [--tickets 20000] [--passes 3] [--account module:Class]

The emulator runs as `python -m zendesk_emulator` (plan unlimited) pinned to one CPU; the client (a keep-alive
requests.Session through HTTPS_PROXY with the emulator's CA) runs on another when there is one. Also reported: the
server's CPU seconds per pass (from /proc), the client's JSON parsing time (left out of "served"), and the round
trip of a small request. The first pass is cold (the account generates records lazily) and is left out of the result.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zendesk_emulator.testing import EmulatorProcess  # noqa: E402


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pin(server_pid: int) -> str:
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(server_pid, {cpus[0]})
    if len(cpus) > 1:
        os.sched_setaffinity(0, set(cpus[1:]))
        return f"server on CPU {cpus[0]}, client on CPUs {cpus[1:]}"
    return f"server and client share CPU {cpus[0]}"


def export_pass(emu: EmulatorProcess, session, per_page: int) -> tuple[int, int, int, float]:
    """Read the whole ticket export; returns tickets, pages, bytes and the seconds spent parsing JSON client-side."""
    start = calendar.timegm(time.strptime(emu.info["config"]["start_date"], "%Y-%m-%dT%H:%M:%SZ"))
    url = emu.url(f"incremental/tickets/cursor.json?start_time={start}&per_page={per_page}")
    tickets = pages = size = 0
    parsing = 0.0
    while True:
        response = session.get(url, timeout=120)
        response.raise_for_status()
        before = time.perf_counter()
        page = json.loads(response.content)
        parsing += time.perf_counter() - before
        tickets += len(page["tickets"])
        pages += 1
        size += len(response.content)
        if page["end_of_stream"]:
            return tickets, pages, size, parsing
        url = page["after_url"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--per-page", type=int, default=1000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--account", help="account class as module:Class (default: the real ZendeskAccount)")
    args = parser.parse_args(argv)

    options = {"seed": args.seed, "tickets": args.tickets, "plan": "unlimited", "account": args.account}
    started = time.perf_counter()
    with EmulatorProcess(startup_timeout=600, **options) as emu, emu.session() as session:
        print(f"emulator ready in {time.perf_counter() - started:.1f}s; {_pin(emu.process.pid)}")
        session.auth = emu.api_token_auth()
        session.get(emu.url("users/me.json"), timeout=30).raise_for_status()
        served, end_to_end, cpu_rates = [], [], []
        for number in range(1, args.passes + 1):
            cpu_before, wall_before = _cpu_seconds(emu.process.pid), time.perf_counter()
            tickets, pages, size, parsing = export_pass(emu, session, args.per_page)
            wall, cpu = time.perf_counter() - wall_before, _cpu_seconds(emu.process.pid) - cpu_before
            if number > 1 or args.passes == 1:  # the first pass also pays for the account's lazy generation
                served.append(tickets / (wall - parsing))
                end_to_end.append(tickets / wall)
                cpu_rates.append(tickets / cpu if cpu else float("inf"))
            print(f"pass {number}: {tickets} tickets, {pages} pages ({size / pages / 1e6:.2f} MB/page) in {wall:.2f}s "
                  f"({parsing:.2f}s of it client JSON parsing) = {tickets / (wall - parsing):,.0f} tickets/s served, "
                  f"{tickets / wall:,.0f} with parsing; server CPU {cpu:.2f}s")
        small = 200
        before = time.perf_counter()
        for _ in range(small):
            session.get(emu.url("users/me.json"), timeout=30)
        latency = (time.perf_counter() - before) / small * 1000
    print(f"RESULT emulator ticket export through the proxy (TLS, keep-alive, {args.per_page}/page, warm passes): "
          f"{statistics.median(served):,.0f} tickets/s served (best {max(served):,.0f}); "
          f"{statistics.median(end_to_end):,.0f} tickets/s including client JSON parsing; "
          f"{statistics.median(cpu_rates):,.0f} tickets per server CPU second; small request round trip {latency:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
