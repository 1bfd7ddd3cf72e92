"""The floor: the least a CDK 7 source can do to read the pages our connector reads.

One bare `HttpStream` per table: the same endpoints and the same maximum page sizes as our connector, one
`orjson.loads` per page, records emitted exactly as Zendesk sent them (no state logic, no filtering, no checks).
Its records per CPU-second are what the CDK's read loop allows at best; the benchmark compares ours against it.

The ticket export is read once, with `include=metric_sets`: `tickets` emits the tickets and keeps each page's metric
sets in a spool file, which `ticket_metrics` then emits (the CDK reads streams in catalog order, tickets first).
Without a spool (ticket_metrics selected alone) ticket_metrics reads the export itself.

    .venv/bin/python -m bench.floor read --config c.json --catalog cat.json     # spec, discover and read work
"""

from __future__ import annotations

import calendar
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
import requests
from airbyte_cdk.entrypoint import launch
from airbyte_cdk.models import ConnectorSpecification, SyncMode
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy
from airbyte_cdk.sources.streams.http.requests_native_auth import BasicHttpAuthenticator, TokenAuthenticator

EXPORT = "incremental/tickets/cursor.json"

# name, path, records key, first-page parameters, how the next page is found
# ("after_url"/"next_page": that key until `end_of_stream`; "links": `links.next` while `meta.has_more`;
# "before_url": that key until null). {start} is the config's start_date in unix seconds.
TABLES: tuple[tuple[str, str, str, dict[str, Any], str], ...] = (
    ("tickets", EXPORT, "tickets", {"start_time": "{start}", "per_page": 1000, "include": "metric_sets"}, "after_url"),
    ("users", "incremental/users/cursor.json", "users", {"start_time": "{start}", "per_page": 1000}, "after_url"),
    ("organizations", "incremental/organizations.json", "organizations", {"start_time": "{start}"}, "next_page"),
    ("groups", "groups.json", "groups", {"page[size]": 100, "exclude_deleted": "false"}, "links"),
    ("group_memberships", "group_memberships.json", "group_memberships", {"page[size]": 100}, "links"),
    ("macros", "macros.json", "macros", {"page[size]": 100}, "links"),
    ("tags", "tags.json", "tags", {"page[size]": 100}, "links"),
    ("ticket_fields", "ticket_fields.json", "ticket_fields", {"page[size]": 100}, "links"),
    ("ticket_metrics", EXPORT, "metric_sets", {"start_time": "{start}", "per_page": 1000, "include": "metric_sets"},
     "after_url"),
    ("ticket_audits", "ticket_audits.json", "audits", {"limit": 1000}, "before_url"),
)


def _next_url(body: Mapping[str, Any], style: str) -> str | None:
    if style == "links":
        return body["links"]["next"] if body["meta"]["has_more"] else None
    if style == "before_url":
        return body.get("before_url")
    return None if body["end_of_stream"] else body[style]


class RetryAfter(BackoffStrategy):
    """429: wait what Retry-After says (the CDK adds a second); anything else retried: the CDK's own backoff."""

    def backoff_time(self, response_or_exception: Any, attempt_count: int) -> float | None:
        if isinstance(response_or_exception, requests.Response) and response_or_exception.status_code == 429:
            return max(float(response_or_exception.headers.get("Retry-After", "60").split(",")[0]) - 1, 0.1)
        return None


class FloorStream(HttpStream):
    primary_key = None

    def __init__(self, table: tuple, url_base: str, start: int, spool: Path, authenticator: Any) -> None:
        self._name, self._path, self._key, params, self._style = table
        self._params = {k: (str(start) if v == "{start}" else v) for k, v in params.items()}
        self._url_base, self._spool = url_base, spool
        super().__init__(authenticator=authenticator)

    @property
    def name(self) -> str:
        return self._name

    @property
    def url_base(self) -> str:
        return self._url_base

    @property
    def is_resumable(self) -> bool:
        # All pages in one slice, one final STATE: the plainest read the CDK offers. (A resumable full refresh would
        # need the CDK's page cursor, which HttpStream drops when read_records is overridden, as ticket_metrics does.)
        return False

    def get_json_schema(self) -> Mapping[str, Any]:
        return {"type": "object", "additionalProperties": True}

    def get_backoff_strategy(self) -> BackoffStrategy:
        return RetryAfter()

    def path(self, *, next_page_token: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
        return next_page_token["url"] if next_page_token else self._path

    def request_params(self, stream_state: Any, stream_slice: Any = None, next_page_token: Any = None) -> dict:
        return {} if next_page_token else dict(self._params)

    def next_page_token(self, response: requests.Response) -> Mapping[str, Any] | None:
        url = _next_url(response.__dict__["_body"], self._style)
        return {"url": url} if url else None

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Mapping[str, Any]]:
        body = response.__dict__["_body"] = orjson.loads(response.content)
        if self._name == "tickets":
            with self._spool.open("ab") as spool:
                spool.write(orjson.dumps(body.get("metric_sets") or []) + b"\n")
        return body[self._key]

    def read_records(self, sync_mode: SyncMode, *args: Any, **kwargs: Any) -> Iterable[Mapping[str, Any]]:
        if self._name == "ticket_metrics" and self._spool.exists():
            with self._spool.open("rb") as spool:
                for line in spool:
                    yield from orjson.loads(line)
            return
        yield from super().read_records(sync_mode, *args, **kwargs)


class FloorSource(AbstractSource):
    def __init__(self) -> None:
        self._spool_dir = tempfile.TemporaryDirectory(prefix="floor-")  # removed when the process ends

    def spec(self, logger: Any) -> ConnectorSpecification:
        return ConnectorSpecification(connectionSpecification={"type": "object"})

    def check_connection(self, logger: Any, config: Mapping[str, Any]) -> tuple[bool, Any]:
        return True, None

    def streams(self, config: Mapping[str, Any]) -> list[FloorStream]:
        credentials = config["credentials"]
        if credentials["credentials"] == "api_token":
            auth = BasicHttpAuthenticator(f"{credentials['email']}/token", credentials["api_token"])
        else:
            auth = TokenAuthenticator(credentials["access_token"])
        start = calendar.timegm(time.strptime(config["start_date"], "%Y-%m-%dT%H:%M:%SZ"))
        spool = Path(self._spool_dir.name) / "metric_sets.jsonl"
        url_base = f"https://{config['subdomain']}.zendesk.com/api/v2/"
        return [FloorStream(table, url_base, start, spool, auth) for table in TABLES]


if __name__ == "__main__":
    launch(FloorSource(), sys.argv[1:])
