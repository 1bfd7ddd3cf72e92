"""Land an Airbyte source's records in a DuckDB file as PyAirbyte's DuckDB cache lands them, with the source's state
kept in the same file (table `_zendesk_sync_state`) for the next (incremental) sync.

The layout (checked against PyAirbyte 0.71's cache, the same one `examples/pyairbyte_sync.py` writes): one table per
stream in `main`, named after the stream; a column per top-level property of the stream's schema, typed from it
(integer BIGINT, number DECIMAL(38, 9), boolean BOOLEAN, string VARCHAR, date-time TIMESTAMP in UTC, date DATE,
object and array JSON, a property of several types VARCHAR holding its text or JSON text); then `_airbyte_raw_id`,
`_airbyte_extracted_at` (the record's emitted_at) and `_airbyte_meta`. Incremental streams are deduplicated on their
primary key (Airbyte's append_dedup: the last record read wins), full-refresh streams replaced.

Records are spooled to a file per stream while the source runs and loaded in one transaction at the end: a stream
gets its records up to its last STATE message (all of them for a sync that ended well), so a failed sync keeps what
the source checkpointed and the next sync resumes there, as in Airbyte. The state is written in the same transaction
as the records it covers: a file holds both or neither, and a deleted file takes its state with it (a state kept
apart would survive it, and the next sync would read incrementally into an empty file).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

META_COLUMNS = {"_airbyte_raw_id": "VARCHAR", "_airbyte_extracted_at": "TIMESTAMP", "_airbyte_meta": "JSON"}
SPOOL_COLUMNS = "{'n': 'BIGINT', 'm': 'STRUCT(record STRUCT(emitted_at BIGINT, data JSON))'}"
STATE_TABLE = "_zendesk_sync_state"  # one row: {"account": ..., "streams": {name: Airbyte STREAM state}}


class DatabaseBusy(Exception):
    """The DuckDB file is open for writing in another process."""


def column_name(name: str) -> str:
    """A property's column, named as Airbyte's SQL destinations normalize names."""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def sql_type(schema: dict[str, Any]) -> str:
    """The DuckDB type of a property, as PyAirbyte derives it from its JSON schema."""
    types = schema.get("type")
    if isinstance(types, list):
        non_null = [t for t in types if t != "null"]
        types = non_null[0] if len(non_null) == 1 else None
    if types == "string":
        return {"date-time": "TIMESTAMP", "date": "DATE", "time": "TIME"}.get(schema.get("format", ""), "VARCHAR")
    return {"integer": "BIGINT", "number": "DECIMAL(38, 9)", "boolean": "BOOLEAN", "object": "JSON",
            "array": "JSON"}.get(types or "", "VARCHAR")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _extract(name: str, kind: str) -> str:
    """SQL reading property `name` of the JSON record `data` as a column of type `kind`."""
    path = "'$." + _quote(name).replace("'", "''") + "'"
    if kind == "JSON":
        return f"case when json_type(data, {path}) = 'NULL' then null else json_extract(data, {path}) end"
    text = f"json_extract_string(data, {path})"
    if kind == "VARCHAR":
        return text
    if kind == "TIMESTAMP":  # ISO 8601 with its offset, kept in UTC (the connection's time zone)
        return f"cast(try_cast({text} as TIMESTAMPTZ) as TIMESTAMP)"
    return f"try_cast({text} as {kind})"


@dataclass
class StreamSpool:
    """The records of one stream read so far, and how many of them a STATE message covers."""

    stream: str
    path: Path
    columns: dict[str, tuple[str, str]]  # column -> (property, SQL type)
    primary_key: list[str]
    dedup: bool
    lines: int = 0
    checkpointed: int = 0
    state: dict[str, Any] | None = None
    handle: Any = field(default=None, repr=False)

    def add(self, line: str) -> None:
        self.lines += 1
        self.handle.write(f'{{"n":{self.lines},"m":{line.rstrip()}}}\n')

    def checkpoint(self, state: dict[str, Any]) -> None:
        self.checkpointed, self.state = self.lines, state


class AirbyteDuckDB:
    """One sync into a DuckDB file: spool(...) each record line, checkpoint(...) each STATE, then commit()."""

    def __init__(self, path: Path, configured_catalog: dict[str, Any]):
        self.path = path
        try:
            self.connection = duckdb.connect(str(path))
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise DatabaseBusy(f"{path} is open in another process: {error}") from None
            raise
        self.connection.execute("SET TimeZone = 'UTC'")
        self._dir = tempfile.TemporaryDirectory(prefix="airbyte-duckdb-")
        self.spools: dict[str, StreamSpool] = {}
        for entry in configured_catalog["streams"]:
            stream = entry["stream"]
            properties = stream.get("json_schema", {}).get("properties", {})
            spool = StreamSpool(
                stream=stream["name"],
                path=Path(self._dir.name) / f"{stream['name']}.ndjson",
                columns={column_name(p): (p, sql_type(s)) for p, s in properties.items()},
                primary_key=[column_name(k[0]) for k in entry.get("primary_key") or []],
                dedup=entry["destination_sync_mode"] == "append_dedup",
            )
            spool.handle = spool.path.open("w")
            self.spools[spool.stream] = spool

    def spool(self, stream: str, line: str) -> None:
        self.spools[stream].add(line)

    def checkpoint(self, stream: str, state: dict[str, Any]) -> None:
        self.spools[stream].checkpoint(state)

    def saved_state(self) -> dict[str, Any]:
        """What the last sync into this file saved: {"account": ..., "streams": {...}}, or {} for a new file."""
        found = self.connection.execute(
            "select 1 from information_schema.tables where table_schema = 'main' and table_name = ?", [STATE_TABLE]
        ).fetchone()
        if not found:
            return {}
        row = self.connection.execute(f"select content from {_quote(STATE_TABLE)}").fetchone()
        return json.loads(row[0]) if row else {}

    def commit(self, complete: bool, account: dict[str, Any] | None = None) -> dict[str, int]:
        """Load the spooled records in one transaction: all of them when the sync ended well, else each incremental
        stream's up to its last STATE (a full-refresh stream is then left as it was); with `account`, the states of
        the streams loaded are saved in the same transaction. Returns rows loaded per stream."""
        loaded = {}
        for spool in self.spools.values():
            spool.handle.close()
        saved = self.saved_state() if account is not None else {}
        self.connection.execute("BEGIN TRANSACTION")
        try:
            for spool in self.spools.values():
                if spool.state is None and spool.lines == 0:
                    continue  # nothing read (the source skipped it): no table, which the dbt staging reports
                if not complete and (not spool.dedup or spool.checkpointed == 0):
                    continue
                loaded[spool.stream] = self._load(spool, spool.lines if complete else spool.checkpointed)
            if account is not None:
                streams = {**saved.get("streams", {})}
                streams.update({s.stream: s.state for s in self.spools.values()
                                if s.state is not None and (complete or (s.dedup and s.checkpointed))})
                self._save_state({"account": account, "streams": streams})
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        return loaded

    def _load(self, spool: StreamSpool, upto: int) -> int:
        table = _quote(spool.stream)
        columns = {**{c: kind for c, (_, kind) in spool.columns.items()}, **META_COLUMNS}
        selected = [f"{_extract(prop, kind)} as {_quote(col)}" for col, (prop, kind) in spool.columns.items()]
        selected += ["cast(uuid() as VARCHAR) as _airbyte_raw_id",
                     "cast(make_timestamp(emitted_at * 1000) as TIMESTAMP) as _airbyte_extracted_at",
                     "'{}'::JSON as _airbyte_meta"]
        latest = ""
        if spool.dedup and spool.primary_key:
            keys = ", ".join(_quote(k) for k in spool.primary_key)
            latest = f"qualify row_number() over (partition by {keys} order by n desc) = 1"
        path = str(spool.path).replace("'", "''")
        self.connection.execute(f"""
            create or replace temp table batch as
            select {", ".join(selected)} from (
                select n, m.record.emitted_at as emitted_at, m.record.data as data
                from read_ndjson('{path}', columns = {SPOOL_COLUMNS}) where n <= {upto}
            ) {latest}""")
        declared = ", ".join(f"{_quote(c)} {kind}" for c, kind in columns.items())
        if not spool.dedup:
            self.connection.execute(f"create or replace table {table} ({declared})")
        else:
            self.connection.execute(f"create table if not exists {table} ({declared})")
            existing = {row[0] for row in self.connection.execute(
                "select column_name from information_schema.columns where table_schema = 'main' and table_name = ?",
                [spool.stream]).fetchall()}
            for missing in (c for c in columns if c not in existing):  # the stream's schema grew
                self.connection.execute(f"alter table {table} add column {_quote(missing)} {columns[missing]}")
            if spool.primary_key:
                match = " and ".join(f"{table}.{_quote(k)} = batch.{_quote(k)}" for k in spool.primary_key)
                self.connection.execute(f"delete from {table} where exists (select 1 from batch where {match})")
        self.connection.execute(f"insert into {table} by name select * from batch")
        count = self.connection.execute("select count(*) from batch").fetchone()
        self.connection.execute("drop table batch")
        return int(count[0]) if count else 0

    def _save_state(self, content: dict[str, Any]) -> None:
        table = _quote(STATE_TABLE)
        self.connection.execute(f"create table if not exists {table} (content JSON)")
        self.connection.execute(f"delete from {table}")
        self.connection.execute(f"insert into {table} values (?)", [json.dumps(content, sort_keys=True)])

    def close(self) -> None:
        for spool in self.spools.values():
            if not spool.handle.closed:
                spool.handle.close()
        self.connection.close()
        self._dir.cleanup()


def read_state(path: Path) -> dict[str, Any]:
    """The state the last sync saved in a DuckDB file ({} when there is no file yet); DatabaseBusy when another
    process has it open."""
    if not path.exists():
        return {}
    database = AirbyteDuckDB(path, {"streams": []})
    try:
        return database.saved_state()
    finally:
        database.close()
