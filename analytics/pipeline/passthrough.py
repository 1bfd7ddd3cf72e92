"""dbt_zendesk's passthrough columns, from the synced tables: the custom field columns the connector gives tickets,
users and organizations (README "Custom fields as columns") reach the package's models through its vars
`zendesk__ticket_passthrough_columns`, `zendesk__user_passthrough_columns` and `zendesk__organization_passthrough_columns`.

Which columns: those of the stream's table named `custom_...` (the connector's naming rule) that are not in the
stream's static schema (source_zendesk_support/schemas/, where `custom_fields`, `custom_status_id` and
`custom_role_id` are standard columns). Each goes with its table's type, so the package's staging casts it to that
type (a checkbox stays a boolean, a date a date). Nothing is listed by hand: a field added in Zendesk is a column at
the next discover and sync, and a passthrough column at the next build.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "source_zendesk_support" / "schemas"
PREFIX = "custom_"
VARS: Mapping[str, str] = {  # stream -> the package's var
    "tickets": "zendesk__ticket_passthrough_columns",
    "users": "zendesk__user_passthrough_columns",
    "organizations": "zendesk__organization_passthrough_columns",
}


def standard_columns(stream: str) -> set[str]:
    """The columns of the stream's static schema."""
    return set(json.loads((SCHEMAS / f"{stream}.json").read_text())["properties"])


def passthrough_vars(columns: Mapping[str, list[tuple[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """The three vars, from each stream table's (column, type) pairs in the table's order: a table that is missing
    gives an empty list."""
    found = {}
    for stream, name in VARS.items():
        standard = standard_columns(stream)
        found[name] = [{"name": column, "datatype": kind} for column, kind in columns.get(stream, [])
                       if column.startswith(PREFIX) and column not in standard]
    return found


def read_columns(connection: Any, schema: str = "main") -> dict[str, list[tuple[str, str]]]:
    """(column, type) of the tickets, users and organizations tables in `schema` of a DuckDB connection."""
    rows = connection.execute(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = ? and "
        "table_name in ('tickets', 'users', 'organizations') order by table_name, ordinal_position", [schema]).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        columns.setdefault(table, []).append((column, kind))
    return columns
