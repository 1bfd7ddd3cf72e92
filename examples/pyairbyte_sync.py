"""Sync Zendesk Support into a local DuckDB file with PyAirbyte, then query it with SQL.

    python examples/pyairbyte_sync.py CONFIG_JSON DUCKDB_FILE [CONNECTOR]

CONFIG_JSON is the connector's config (README, "Config"). With OAuth refresh credentials Zendesk rotates the refresh
token on every refresh and the old one stops working: the connector hands the new pair over (in discover and check
too, not only in read), and this script's `config_change_callback` gives it to the source, whose next command in this
run needs it, and writes it back into CONFIG_JSON, so that the next run starts from it. CONNECTOR is the installed
`source-zendesk-support` console script (default: the one on PATH). Run with PyAirbyte's Python (`pip install
airbyte`, in a venv of its own: it does not share the connector's dependencies). README: "Use it with PyAirbyte".
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import airbyte as ab
from airbyte.caches import DuckDBCache
from sqlalchemy import text

STREAMS = ["tickets", "users", "organizations", "groups", "ticket_metrics"]

# Tickets per organization and status, busiest first: the kind of question the synced tables answer.
QUERY = """
    SELECT o.name AS organization, t.status, count(*) AS tickets
    FROM tickets AS t LEFT JOIN organizations AS o ON o.id = t.organization_id
    GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 10
"""


def sync(config_file: Path, db_path: Path, connector: str) -> dict[str, int]:
    """Read STREAMS into the DuckDB file (incrementally after the first run); returns the rows of each table."""

    def save_config(new_config: dict[str, Any]) -> None:
        config_file.write_text(json.dumps(new_config, indent=2))
        # PyAirbyte keeps the config it was given and starts every later command (discover, read) from it; after a
        # rotation that config's refresh token is spent (invalid_grant), so the new one goes to the source too.
        source.set_config(new_config, validate=False)

    source = ab.get_source(
        "source-zendesk-support",
        config=json.loads(config_file.read_text()),
        config_change_callback=save_config,
        local_executable=connector,
    )
    source.select_streams(STREAMS)
    cache = DuckDBCache(db_path=db_path)
    source.read(cache=cache)
    with cache.get_sql_engine().connect() as connection:
        for row in connection.execute(text(QUERY)):
            print(*row, sep="\t")
        return {name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() for name in STREAMS}


if __name__ == "__main__":
    config_path, db_file = Path(sys.argv[1]), Path(sys.argv[2])
    executable = sys.argv[3] if len(sys.argv) > 3 else shutil.which("source-zendesk-support")
    if executable is None:
        sys.exit("source-zendesk-support is not on PATH: pip install the connector, or pass its path")
    print(json.dumps(sync(config_path, db_file, executable)))
