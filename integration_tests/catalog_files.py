"""The acceptance tests' configured catalog and future-dated state, written from the connector's own streams.

acceptance-test-config.yml points at `configured_catalog.json` and `abnormal_state.json`; both are generated from
`STREAMS` (every stream the emulator serves, incremental where it can be, each incremental stream's state a century
ahead), so a new stream is covered without editing them: `python -m integration_tests.catalog_files` rewrites them,
and test_acceptance_files.py fails while they differ from what it would write (tests never write tracked files).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scripts.airbyte_run import AWAITING_EMULATOR
from source_zendesk_support.state import UNIX
from source_zendesk_support.streams import STREAMS as ALL_STREAMS
from source_zendesk_support.streams import stream_name
from zendesk_emulator.data.custom_objects import OBJECTS as EMULATED_OBJECTS

STREAMS = tuple(stream for stream in ALL_STREAMS if stream_name(stream) not in AWAITING_EMULATOR)

HERE = Path(__file__).parent
CATALOG = HERE / "configured_catalog.json"
ABNORMAL_STATE = HERE / "abnormal_state.json"
FUTURE = 4102444800  # 2100-01-01T00:00:00Z


def configured_catalog() -> dict[str, Any]:
    entries = []
    for stream in STREAMS:
        cursor = stream.position.catalog_cursor  # None: a full-refresh stream
        incremental = cursor is not None
        pk = [[stream.primary_key]] if stream.primary_key else None
        declared: dict[str, Any] = {
            "name": stream_name(stream),
            "json_schema": {"type": "object"},
            "supported_sync_modes": ["full_refresh", "incremental"] if incremental else ["full_refresh"],
        }
        if pk:
            declared["source_defined_primary_key"] = pk
        entry: dict[str, Any] = {"stream": declared}
        if incremental:
            declared.update(source_defined_cursor=True, default_cursor_field=[cursor])
            entry.update(sync_mode="incremental", destination_sync_mode="append_dedup", cursor_field=[cursor])
        else:
            entry.update(sync_mode="full_refresh", destination_sync_mode="overwrite")
        if pk:
            entry["primary_key"] = pk
        entries.append(entry)
    return {"streams": entries}


def abnormal_state() -> list[dict[str, Any]]:
    states = []
    for stream in STREAMS:
        position = stream.position
        if position.key:
            value = FUTURE if position.codec is UNIX else "2100-01-01T00:00:00Z"
            if getattr(position, "every_row", False):  # one instant per row: each of the emulated account's objects
                value = {key: value for key, *_ in EMULATED_OBJECTS}
            states.append({"type": "STREAM", "stream": {"stream_descriptor": {"name": stream_name(stream)},
                                                       "stream_state": {position.key: value}}})
    return states


def _files() -> dict[Path, str]:
    return {CATALOG: json.dumps(configured_catalog(), indent=2) + "\n",
            ABNORMAL_STATE: json.dumps(abnormal_state(), indent=2) + "\n"}


def stale() -> list[str]:
    """The files whose content differs from what `write` would write."""
    return [path.name for path, text in _files().items() if not path.exists() or path.read_text() != text]


def write() -> None:
    for path, text in _files().items():
        path.write_text(text)


if __name__ == "__main__":
    write()
