"""What the custom field columns cost: whole syncs in pairs, and the main thread's path of a record split into parts.

    .venv/bin/python -m bench.column_cost --pairs 8 [--tickets 100000]
    .venv/bin/python -m bench.column_cost [--rounds 30]

`--pairs N`: N pairs of whole syncs of `tickets` from one emulator, ours then ours-plain (bench/runners.py: the same
connector with `custom_field_columns: false`), pinned as bench.run pins them. One sync against one other moves by
more than the columns cost on a shared machine; the median of the pairs' differences, in CPU microseconds a record,
moves less. Prints each pair, then that median and the ratio of the medians' records per CPU-second (the issue's
budget: ours at least 0.95x ours-plain).

Without `--pairs`:
One page of 1,000 tickets of the emulator's account (seed 1) and its ticket field list, then, per round and variant,
the page parsed and each record taken through what the main thread does with it in a sync: the columns filled
(or not), the CDK's AirbyteMessage and serialisation, the output buffer (written to /dev/null). Variants: `plain`
(no columns), `carry` (the same columns computed beforehand, only inserted and serialised), `touch` (the raw values
read, nothing added), `fill` (the connector's fill, custom_fields/values.py). Prints the median CPU microseconds per
record of each and its difference to `plain`. The garbage collector is off while measuring: its passes land on
whichever variant happens to allocate past its threshold. README "Custom fields as columns" quotes the figures.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.sources.utils.record_helper import stream_data_to_airbyte_message

from bench.run import pin
from bench.runners import Ours, OursPlain
from source_zendesk_support.custom_fields.columns import BY_STREAM, columns
from source_zendesk_support.custom_fields.values import StreamColumns
from zendesk_emulator.testing import EmulatorProcess

Fill = Callable[[dict[str, Any]], None]


def fetch() -> tuple[bytes, list[dict[str, Any]]]:
    """A page of 1,000 tickets and the ticket field list, as Zendesk's API serves them."""
    with EmulatorProcess(seed=1, tickets=1000, plan="unlimited") as emulator:
        session, auth = emulator.session(), emulator.api_token_auth()
        page = session.get(emulator.url("incremental/tickets/cursor.json?start_time=0&per_page=1000"), auth=auth,
                           timeout=120).content
        fields = session.get(emulator.url("ticket_fields.json"), auth=auth, timeout=120).json()["ticket_fields"]
    return page, fields


def variants(page: bytes, fields: list[dict[str, Any]]) -> dict[str, Fill | None]:
    field_list = BY_STREAM["tickets"]
    filler = StreamColumns.from_schema(field_list, {"properties": columns(field_list, fields, {"id", "url"})})
    assert filler is not None
    computed = {}
    for record in orjson.loads(page)["tickets"]:
        before = set(record)
        filler.fill(record)
        computed[record["id"]] = {key: record[key] for key in record if key not in before}

    def touch(data: dict[str, Any]) -> None:
        for item in data["custom_fields"]:
            item["value"]

    return {"plain": None, "carry": lambda data: data.update(computed[data["id"]]), "touch": touch,
            "fill": filler.fill}


def one_round(page: bytes, fill: Fill | None, out: io.TextIOBase) -> float:
    """CPU microseconds per record: the page parsed, each record filled, made a message, serialised, buffered."""
    started = time.process_time()
    records = orjson.loads(page)["tickets"]
    buffer = io.StringIO()
    for data in records:
        if fill is not None:
            fill(data)
        buffer.write(f"{AirbyteEntrypoint.airbyte_message_to_string(stream_data_to_airbyte_message('tickets', data))}\n")
        if buffer.tell() > 256 * 1024:
            out.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue())
    return (time.process_time() - started) * 1e6 / len(records)


def paired_syncs(pairs: int, tickets: int, seed: int) -> dict[str, float]:
    """CPU seconds of `pairs` alternating whole syncs of tickets, ours and ours-plain; the median paired difference."""
    cpu: dict[str, list[float]] = {"ours": [], "ours-plain": []}
    with (
        tempfile.TemporaryDirectory(prefix="column-cost-") as work,
        EmulatorProcess(seed=seed, tickets=tickets, plan="unlimited", startup_timeout=1800) as emulator,
    ):
        cpus = pin(emulator.process.pid)
        readers = [reader(emulator.info, Path(work), 1800, cpus, only=["tickets"]) for reader in (Ours, OursPlain)]
        for reader in readers:
            reader.prepare()
        for pair in range(pairs):
            for reader in readers:
                measured = reader.read(f"pair-{pair}")
                if measured.exit_code != 0 or measured.records.get("tickets") != tickets:
                    raise SystemExit(
                        f"{reader.name}: exit {measured.exit_code}, {measured.records} records: {measured.stderr_tail}"
                    )
                cpu[reader.name].append(measured.cpu_seconds)
            print(
                f"pair {pair + 1}: ours {cpu['ours'][-1]:.2f} s, ours-plain {cpu['ours-plain'][-1]:.2f} s CPU",
                flush=True,
            )
    extra = statistics.median(a - b for a, b in zip(cpu["ours"], cpu["ours-plain"], strict=True)) * 1e6 / tickets
    ratio = statistics.median(cpu["ours-plain"]) / statistics.median(cpu["ours"])
    print(
        f"{tickets:,} tickets, {pairs} pairs: the columns cost {extra:.1f} µs of CPU a record (median of the pairs' "
        f"differences); ours-plain {statistics.median(cpu['ours-plain']) * 1e6 / tickets:.1f} µs a record; "
        f"records per CPU-second, ours ÷ ours-plain (medians): {ratio:.3f}x"
    )
    return {"extra_us": extra, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--pairs", type=int, help="whole syncs in pairs instead of the split of one record's path")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.pairs:
        paired_syncs(args.pairs, args.tickets, args.seed)
        return
    page, fields = fetch()
    fills = variants(page, fields)
    times: dict[str, list[float]] = {name: [] for name in fills}
    gc.disable()
    with open(os.devnull, "w") as out:
        for _ in range(args.rounds):  # alternating, so that the machine's load falls on every variant alike
            for name, fill in fills.items():
                times[name].append(one_round(page, fill, out))
    gc.enable()
    plain = statistics.median(times["plain"])
    for name, measured in times.items():
        median = statistics.median(measured)
        print(f"{name:6s} {median:6.1f} µs a record (median of {args.rounds}), {median - plain:+5.1f} µs against plain")


if __name__ == "__main__":
    main()
