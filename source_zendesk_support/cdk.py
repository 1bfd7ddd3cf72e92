"""Every use of the Airbyte CDK beyond its documented API, in one place.

The connector builds on the CDK's public classes (`HttpStream`, `HttpStatusErrorHandler`, `AbstractSource`, the
authenticators). A few things it needs the CDK does not publish as API: a request through a stream's own HTTP client
(paced, authenticated, retried and judged by its error handler), for one page of a stream at a time (the CDK only
reads all pages of a slice in a loop) and for the per-parent lists; the concurrent framework's building blocks
(`airbyte_cdk.sources.streams.concurrent` and `concurrent_source`, which the CDK changes between minor releases); and
the size of the output buffer. Each one is
reached only through this module, and `unit_tests/test_cdk_contract.py` checks that the installed CDK still has them
in the shape used here: a CDK release that changes one fails there, naming what changed, instead of in a sync.

The CDK range the connector declares (setup.py) is the one those tests, and the rest of the unit tests, pass on:
`bin/test` runs them on the oldest release of the range too (bin/test-cdk-floor).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import requests
from airbyte_cdk.sources.concurrent_source.concurrent_source import ConcurrentSource
from airbyte_cdk.sources.message.concurrent_repository import ConcurrentMessageRepository
from airbyte_cdk.sources.streams import NO_CURSOR_STATE_KEY
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor, CursorField
from airbyte_cdk.sources.streams.concurrent.default_stream import DefaultStream
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.streams.concurrent.partitions.partition_generator import PartitionGenerator
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.utils.print_buffer import PrintBuffer

__all__ = [
    "NO_CURSOR_STATE_KEY",
    "ConcurrentMessageRepository",
    "ConcurrentSource",
    "Cursor",
    "CursorField",
    "DefaultStream",
    "Partition",
    "PartitionGenerator",
    "buffered_chars",
    "laned_stream",
    "send",
]


def send(stream: HttpStream, url: str, params: Mapping[str, Any], request_kwargs: Mapping[str, Any]) -> requests.Response:
    """A GET of `url` through `stream`'s own HTTP client: paced by its API budget, authenticated, retried and judged
    by its error handler like the stream's pages. Parameters already in `url` are not sent twice."""
    return stream._http_client.send_request(
        "GET", url, request_kwargs=request_kwargs, params=dict(params), dedupe_query_params=True
    )[1]


def laned_stream(
    *,
    partition_generator: PartitionGenerator,
    name: str,
    json_schema: Callable[[], Mapping[str, Any]],
    primary_key: list[str],
    cursor_field: CursorField | None,
    logger: logging.Logger,
    cursor: Cursor,
    lane: str,
) -> DefaultStream:
    """A concurrent stream in `lane`: the CDK starts no stream of a lane while another of the same lane is being read
    (its `block_simultaneous_read` group); "" is no lane."""
    return DefaultStream(
        partition_generator=partition_generator,
        name=name,
        json_schema=json_schema,
        primary_key=primary_key,
        cursor_field=cursor_field,
        logger=logger,
        cursor=cursor,
        block_simultaneous_read=lane,
    )


def buffered_chars(buffer: PrintBuffer) -> int:
    """How many characters the CDK's print buffer holds, not yet written out."""
    return buffer.buffer.tell()
