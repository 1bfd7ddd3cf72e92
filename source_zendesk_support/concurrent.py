"""Reading the selected streams side by side, with the CDK's concurrent framework.

Why: under Zendesk's limits a sync is bound by its incremental-export requests (10 a minute); streams on other
endpoints (audits, lists) can be read while the exports wait for the next minute, so the sync ends when the
exports end instead of adding the rest after them.

How: each stream is one partition, read by a worker thread page by page exactly as the stream reads itself
(`stream_slices` gives one slice per page, `read_records` reads it and moves the stream's position). The streams go
in two lanes (see `_lane`), each lane one stream at a time, plus ticket_metrics beside tickets when it reads the same
pages (sharing.py). After every page the stream's state is handed to the CDK's concurrent message repository, which
queues it behind the page's records, so a STATE never runs ahead of the records it covers. The main thread writes
everything out (the CDK's ConcurrentSource): stream statuses, records, states and per-stream errors, as
AbstractSource.read would; a failed stream stops only itself, and the sync fails at the end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from queue import Queue
from typing import Any

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    SyncMode,
)
from airbyte_cdk.sources.concurrent_source.concurrent_source import ConcurrentSource
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import InMemoryMessageRepository, MessageRepository
from airbyte_cdk.sources.message.concurrent_repository import ConcurrentMessageRepository
from airbyte_cdk.sources.streams import NO_CURSOR_STATE_KEY
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor, CursorField
from airbyte_cdk.sources.streams.concurrent.default_stream import DefaultStream
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.streams.concurrent.partitions.partition_generator import PartitionGenerator
from airbyte_cdk.sources.types import Record
from airbyte_cdk.sources.utils.slice_logger import DebugSliceLogger
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .pacing import is_export
from .sharing import PageFeed
from .streams import ZendeskStream

# Records waiting for the main thread to write them. Each holds on to its parsed page, so a short queue keeps
# memory to about one page per stream being read; the main thread (serialising) is the bottleneck anyway.
QUEUE_SIZE = 500


class StateCheckpoint:
    """Emits one stream's state as the CDK does (through the connector's state manager) on the given repository."""

    def __init__(self, stream: ZendeskStream, state_manager: ConnectorStateManager, repository: MessageRepository):
        self._stream, self._state_manager, self._repository = stream, state_manager, repository
        self._emitted: Mapping[str, Any] | None = None

    def emit(self, unless_unchanged: bool = False) -> None:
        state = self._stream.state if self._stream.is_resumable else {NO_CURSOR_STATE_KEY: True}
        if unless_unchanged and state == self._emitted:
            return
        self._emitted = dict(state)
        self._state_manager.update_state_for_stream(self._stream.name, self._stream.namespace, state)
        self._repository.emit_message(self._state_manager.create_state_message(self._stream.name, self._stream.namespace))


class WholeStream(Partition):
    """All pages of one stream, read in order, a checkpoint after each page. `on_end` learns how the read ended
    (None, or the exception that ended it): a shared page feed is closed or abandoned there."""

    def __init__(self, stream: ZendeskStream, configured: ConfiguredAirbyteStream, incoming_state: Mapping[str, Any],
                 checkpoint: StateCheckpoint, on_end: Callable[[BaseException | None], None] | None = None) -> None:
        self._stream, self._configured = stream, configured
        self._incoming_state, self._checkpoint, self._on_end = incoming_state, checkpoint, on_end

    def read(self) -> Iterable[Record]:
        error: BaseException | None = None
        try:
            yield from self._read()
        except BaseException as exception:
            error = exception
            raise
        finally:
            if self._on_end is not None:
                self._on_end(error)

    def _read(self) -> Iterable[Record]:
        stream, mode = self._stream, self._configured.sync_mode
        cursor_field = self._configured.cursor_field or None
        # Set here, in the worker, so that a state this stream cannot use fails this stream only (as in AbstractSource).
        stream.state = _usable(self._incoming_state)
        name = stream.name
        for page in stream.stream_slices(sync_mode=mode, cursor_field=cursor_field, stream_state=stream.state):
            for data in stream.read_records(mode, cursor_field=cursor_field, stream_slice=page,
                                            stream_state=stream.state):
                yield Record(data=data, stream_name=name)
            if stream.is_resumable:
                self._checkpoint.emit()

    def to_slice(self) -> Mapping[str, Any] | None:
        return None

    def stream_name(self) -> str:
        return self._stream.name

    def __hash__(self) -> int:
        return hash(self._stream.name)


class OnePartition(PartitionGenerator):
    def __init__(self, partition: WholeStream) -> None:
        self._partition = partition

    def generate(self) -> Iterable[Partition]:
        yield self._partition


class PositionCursor(Cursor):
    """The stream's own position is its cursor: records need no observing, pages were checkpointed as they ended,
    and the final state is emitted when the stream is done unless the last page's checkpoint already said it."""

    def __init__(self, stream: ZendeskStream, checkpoint: StateCheckpoint) -> None:
        self._stream, self._checkpoint = stream, checkpoint

    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._stream.state

    def observe(self, record: Record) -> None:
        pass

    def close_partition(self, partition: Partition) -> None:
        pass

    def ensure_at_least_one_state_emitted(self) -> None:
        self._checkpoint.emit(unless_unchanged=True)

    def should_be_synced(self, record: Record) -> bool:
        return True


def _usable(state: Mapping[str, Any]) -> dict[str, Any]:
    # The CDK's marker for "a full refresh ended" is no position (AbstractSource drops it the same way).
    return {} if state == {NO_CURSOR_STATE_KEY: True} else dict(state)


def _lane(stream: ZendeskStream) -> str:
    """Streams of one lane are read one after another, the two lanes side by side: the incremental exports share
    Zendesk's 10-a-minute export budget, so reading two at once gains nothing, while every other endpoint can go on
    while they wait. Two lanes cost little CPU (more threads than that contend for the interpreter's lock)."""
    return "incremental exports" if is_export(stream.url_base + stream.endpoint) else "other endpoints"


def share_pages(streams: list[tuple[ZendeskStream, ConfiguredAirbyteStream]],
                state_manager: ConnectorStateManager) -> dict[str, PageFeed]:
    """Pair each stream that can read another's pages (`shares_pages_of`) with it when both are selected and both
    start from the same position; returns the feeds by the name of either stream."""
    by_name = {stream.name: (stream, configured) for stream, configured in streams}
    feeds: dict[str, PageFeed] = {}
    for follower, configured in streams:
        if follower.shares_pages_of not in by_name:
            continue
        publisher, publisher_configured = by_name[follower.shares_pages_of]
        if configured.sync_mode != publisher_configured.sync_mode:
            continue
        if configured.sync_mode == SyncMode.incremental:
            try:
                follower.state = _usable(state_manager.get_stream_state(follower.name, follower.namespace))
                publisher.state = _usable(state_manager.get_stream_state(publisher.name, publisher.namespace))
            except AirbyteTracedException:
                continue  # each reads alone, and the stream with the unusable state fails on its own
            if follower.state != publisher.state:
                continue  # e.g. one of them was added to the connection later: they catch up separately once
        feed = PageFeed(publisher.name, follower.name, publisher.records_key, str(publisher.cursor_field))
        publisher.publish_pages(feed, follower)
        follower.follow_pages(feed)
        feeds[publisher.name] = feeds[follower.name] = feed
    return feeds


def _on_end(stream: ZendeskStream, feeds: dict[str, PageFeed]) -> Callable[[BaseException | None], None] | None:
    feed = feeds.get(stream.name)
    if feed is None:
        return None
    if feed.publisher == stream.name:
        return feed.close
    return lambda error: feed.abandon()


def read_catalog(streams: Iterable[ZendeskStream], catalog: ConfiguredAirbyteCatalog,
                 state: list[AirbyteStateMessage] | None, logger: logging.Logger,
                 read_others: Callable[[ConfiguredAirbyteCatalog], Iterable[AirbyteMessage]]) -> Iterable[AirbyteMessage]:
    """The configured streams this source has, side by side; any other catalog entry goes to `read_others`
    (AbstractSource.read, which reports a stream it does not know)."""
    by_name = {stream.name: stream for stream in streams}
    known = [(by_name[entry.stream.name], entry) for entry in catalog.streams if entry.stream.name in by_name]
    unknown = [entry for entry in catalog.streams if entry.stream.name not in by_name]
    if known:
        yield from read_concurrently(known, ConnectorStateManager(state=state), logger)
    if unknown:
        yield from read_others(ConfiguredAirbyteCatalog(streams=unknown))


def read_concurrently(streams: list[tuple[ZendeskStream, ConfiguredAirbyteStream]], state_manager: ConnectorStateManager,
                      logger: logging.Logger) -> Iterable[AirbyteMessage]:
    """Read `streams` (each with its configured catalog entry), one worker thread each."""
    queue: Queue = Queue(maxsize=QUEUE_SIZE)
    repository = ConcurrentMessageRepository(queue, InMemoryMessageRepository())
    feeds = share_pages(streams, state_manager)
    concurrent_streams = []
    for stream, configured in streams:
        checkpoint = StateCheckpoint(stream, state_manager, repository)
        incoming = state_manager.get_stream_state(stream.name, stream.namespace)
        cursor_field = stream.cursor_field
        following = stream.name in feeds and feeds[stream.name].follower == stream.name
        partition = WholeStream(stream, configured, incoming, checkpoint, _on_end(stream, feeds))
        concurrent_streams.append(DefaultStream(
            partition_generator=OnePartition(partition),
            name=stream.name,
            json_schema=stream.get_json_schema,
            primary_key=[stream.primary_key] if isinstance(stream.primary_key, str) else list(stream.primary_key),
            cursor_field=CursorField(cursor_field) if isinstance(cursor_field, str) and cursor_field else None,
            logger=logger,
            cursor=PositionCursor(stream, checkpoint),
            block_simultaneous_read="" if following else _lane(stream),  # a follower runs beside its publisher
        ))
    source = ConcurrentSource.create(
        # Enough for every stream at once (a stream holds its worker to its end); the lanes decide how many run.
        num_workers=len(concurrent_streams) + 1,
        initial_number_of_partitions_to_generate=len(concurrent_streams),
        logger=logger,
        slice_logger=DebugSliceLogger(),
        message_repository=repository,
        queue=queue,
    )
    yield from source.read(concurrent_streams)

