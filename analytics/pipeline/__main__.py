"""bin/analytics: Zendesk's support metrics from dbt_zendesk, on what this connector syncs.

Starts the bundled Zendesk emulator (or reads a real account with --config), syncs the streams Fivetran's dbt
package dbt_zendesk needs into a DuckDB file, builds analytics/ (the package over our staging) and reports tickets,
first reply and full resolution times, SLA breach rates and the backlog, in the terminal and as one HTML page.
Run again on the same --db, it syncs incrementally from the state kept beside the file and dbt runs incrementally.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from analytics.pipeline import dbt, report
from analytics.pipeline.airbyte_duckdb import AirbyteDuckDB, DatabaseBusy, read_state
from analytics.pipeline.passthrough import VARS, passthrough_vars, read_columns
from analytics.pipeline.sync import REQUIRED, Source, SyncError, connector_command, python_of, sync

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "analytics" / "out" / "zendesk.duckdb"


class Refused(Exception):
    """Bad input: said to the user as is, exit 1."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bin/analytics", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--config", type=Path, help="the connector's config of a real account (README, Config); "
                                                    "without it, the emulator's account")
    source.add_argument("--skip-sync", action="store_true",
                        help="no sync: build and report on the Airbyte tables already in --db (PyAirbyte's cache, ...)")
    parser.add_argument("--tickets", type=int, default=2000, help="the emulated account's tickets (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="the emulated account's seed (default 1)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the DuckDB file (default {DEFAULT_DB})")
    parser.add_argument("--html", type=Path, help="the HTML page (default: beside --db, named after it)")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild dbt's incremental models from scratch")
    return parser.parse_args(argv)


def _step(number: int, text: str) -> float:
    print(f"[{number}/4] {text}", flush=True)
    return time.monotonic()


def _load_config(path: Path) -> dict[str, Any]:
    try:
        config = json.loads(path.read_text())
    except OSError as error:
        raise Refused(f"cannot read --config {path}: {error.strerror}") from None
    except ValueError as error:
        raise Refused(f"--config {path} is not JSON: {error}") from None
    if not isinstance(config, dict) or not config.get("subdomain"):
        raise Refused(f"--config {path} is not a connector config (no subdomain): README, Config")
    return config


def _require_tables(db_path: Path) -> None:
    """The streams without which dbt_zendesk's metrics are empty must have tables."""
    try:
        connection = AirbyteDuckDB(db_path, {"streams": []}).connection
    except DatabaseBusy as error:
        raise Refused(str(error)) from None
    try:
        found = {row[0] for row in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}
    finally:
        connection.close()
    missing = [stream for stream in REQUIRED if stream not in found]
    if missing:
        raise Refused(f"{db_path} has no table {', '.join(missing)} (main schema): sync those streams first "
                      "(run without --skip-sync)")


def _passthrough(db_path: Path) -> dict[str, list[dict[str, str]]]:
    """dbt_zendesk's passthrough vars: the custom field columns of the synced tables (passthrough.py)."""
    try:
        connection = AirbyteDuckDB(db_path, {"streams": []}).connection
    except DatabaseBusy as error:
        raise Refused(str(error)) from None
    try:
        return passthrough_vars(read_columns(connection))
    finally:
        connection.close()


def run(args: argparse.Namespace) -> int:
    db_path = args.db.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    html_path = (args.html or db_path.with_suffix(".html")).resolve()
    work = db_path.with_suffix(".dbt")
    started = time.monotonic()

    if args.skip_sync:
        _step(1, f"No sync: the tables already in {db_path}")
        _step(2, "(skipped)")
        _require_tables(db_path)
    elif args.config is not None:
        config = _load_config(args.config)
        _step(1, f"Zendesk account https://{config['subdomain']}.zendesk.com (--config {args.config})")
        source = Source(connector_command(ROOT), config, dict(os.environ), config_file=args.config)
        _step(2, f"Syncing into {db_path}")
        _report_sync(sync(source, db_path, {"subdomain": config["subdomain"]}))
    else:
        from zendesk_emulator.testing import EmulatorError, EmulatorProcess

        saved = read_state(db_path).get("account", {}).get("emulator", {})
        anchor = saved.get("anchor") if (saved.get("tickets"), saved.get("seed")) == (args.tickets, args.seed) else None
        anchor = anchor or int(time.time())  # the same account again on the next run: same data, same times
        t = _step(1, f"Starting the Zendesk emulator ({args.tickets:,} tickets, seed {args.seed})")
        try:
            emulator = EmulatorProcess(python=python_of(ROOT), seed=args.seed, tickets=args.tickets,
                                       plan="unlimited", anchor=anchor).start()
        except EmulatorError as error:
            raise Refused(f"the emulator did not start: {error}") from None
        try:
            source = Source(connector_command(ROOT), emulator.info["oauth_access_config"],
                            {**os.environ, **emulator.client_env()})
            print(f"  https://{emulator.info['subdomain']}.zendesk.com via {emulator.info['proxy_url']} "
                  f"({time.monotonic() - t:.1f} s)", flush=True)
            _step(2, f"Syncing into {db_path}")
            account = {"emulator": {"tickets": args.tickets, "seed": args.seed, "anchor": anchor}}
            _report_sync(sync(source, db_path, account))
        finally:
            emulator.stop()

    t = _step(3, "Building analytics/ with dbt_zendesk (dbt build: seeds, models, tests)")
    print(f"  packages: {dbt.install_packages()}", flush=True)
    variables = _passthrough(db_path)
    print("  custom field columns passed through: " + ", ".join(
        f"{stream} {len(variables[name])}" for stream, name in VARS.items()), flush=True)
    build = dbt.build(db_path, work, full_refresh=args.full_refresh, variables=variables)
    print(f"  {build.nodes} nodes built and tested in {time.monotonic() - t:.0f} s"
          + (f", {len(build.warnings)} warnings" if build.warnings else ""), flush=True)

    _step(4, "Report")
    try:
        figures = report.read_figures(db_path)
    except Exception as error:  # duckdb's lock error names no class of its own
        if "lock" in str(error).lower():
            raise Refused(f"{db_path} is open in another process: {error}") from None
        raise
    print(report.text_report(figures))
    report.write_html(figures, html_path, f"Zendesk support metrics ({db_path.name})")
    print(f"\nHTML page: {html_path}\nDone in {time.monotonic() - started:.0f} s.", flush=True)
    return 0


def _report_sync(result: Any) -> None:
    mode = "incremental" if result.incremental else "full"
    print(f"  {mode} sync: {sum(result.records.values()):,} records in {result.seconds:.0f} s; tables updated: "
          + ", ".join(f"{name} {count:,}" for name, count in sorted(result.loaded.items())), flush=True)
    if result.missing:
        print(f"  not synced (the connector has no such stream yet): {', '.join(result.missing)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except (Refused, SyncError, DatabaseBusy, dbt.DbtError) as error:
        print(f"bin/analytics: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bin/analytics: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug of ours: the details in a file, one line on the terminal
        log = Path(args.db).resolve().with_suffix(".error.log")
        log.write_text(traceback.format_exc())
        print(f"bin/analytics: unexpected error: {sys.exc_info()[1]!r} (traceback in {log})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
