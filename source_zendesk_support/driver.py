"""The driver: reads the selected streams side by side, one page at a time, and emits their states.

Why side by side: under Zendesk's limits a sync is bound by its incremental-export requests (10 a minute); streams on
other endpoints (audits, lists) can be read while the exports wait for the next minute, so the sync ends when the
exports end instead of adding the rest after them.

How: each stream is one partition of the CDK's concurrent framework, read by a worker thread (`WholeStream`), page
by page:

    walk = stream.begin(mode)                         # streams/base.py: where its pages start
    while not walk.ended:
        page = stream.request_page(walk)              # streams/base.py: its own request, unless it shares pages:
                                                      # then pages.next_page(walk) (sharing.py)
        yield from stream.read_page(page, walk)       # its records; then its position moves past the page (state.py)
                                                      # (a position kept per row also checkpoints between rows)
                                                      # (the page is freed before the next is requested)
        checkpoint.emit()                             # its state, queued behind the page's records

Which streams share pages, and how, is decided once, before the read (`sharing.share_pages`). The streams go in lanes
(see `_lane`), each lane one stream at a time, plus the streams reading another's pages beside it. The CDK's
concurrent message repository queues each state behind the page's records, so a STATE never runs ahead of the
records it covers. The main thread writes everything out (the CDK's ConcurrentSource): stream statuses, records,
states and per-stream errors, as AbstractSource.read would; a failed stream stops only itself, and the sync fails
at the end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from queue import Queue
from typing import Any

import requests
from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    SyncMode,
)
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import InMemoryMessageRepository, MessageRepository
from airbyte_cdk.sources.types import Record
from airbyte_cdk.sources.utils.slice_logger import DebugSliceLogger

from .cdk import (
    NO_CURSOR_STATE_KEY,
    ConcurrentMessageRepository,
    ConcurrentSource,
    Cursor,
    CursorField,
    Partition,
    PartitionGenerator,
    laned_stream,
)
from .estimates import Estimates, StreamProgress
from .pacing import is_export
from .paginators import PageWalk
from .row_state import CHECKPOINT
from .sharing import FollowedPages, PageSource, share_pages
from .streams import ZendeskStream

# Records waiting for the main thread to write them. Each holds on to its parsed page, so a short queue keeps
# memory to about one page per stream being read; the main thread (serialising) is the bottleneck anyway. Measured
# at 20,000 tickets, all 45 streams: peak RSS 164 MB with 500, 155 MB with 100, the same CPU seconds.
QUEUE_SIZE = 100


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
    """All pages of one stream, read in order, a checkpoint after each page. The stream requests its pages itself,
    unless it shares them with other streams (`pages`, sharing.py): then the page source learns how the read ended
    (None, or the exception that ended it) and tells the others. `progress` sends the stream's row estimate before its
    first record and counts its records (estimates.py)."""

    def __init__(self, stream: ZendeskStream, configured: ConfiguredAirbyteStream, incoming_state: Mapping[str, Any],
                 checkpoint: StateCheckpoint, pages: PageSource | None = None,
                 progress: StreamProgress | None = None) -> None:
        self._stream, self._configured, self._pages = stream, configured, pages
        self._incoming_state, self._checkpoint, self._progress = incoming_state, checkpoint, progress

    def read(self) -> Iterable[Record]:
        error: BaseException | None = None
        try:
            yield from self._read()
        except BaseException as exception:
            error = exception
            raise
        finally:
            if self._progress is not None:
                self._progress.end()
            if self._pages is not None:
                self._pages.end(error)

    def _read(self) -> Iterable[Record]:
        stream, mode, name, progress = self._stream, self._configured.sync_mode, self._stream.name, self._progress
        # Set here, in the worker, so that a state this stream cannot use fails this stream only (as in AbstractSource).
        stream.state = _usable(self._incoming_state)
        if progress is not None:
            # Before the first page: the estimate goes out ahead of every record (the same queue carries both).
            progress.begin(from_start=mode == SyncMode.full_refresh or not _usable(self._incoming_state))
        walk = stream.begin(mode)
        while not walk.ended:
            # The page is referenced by its reading only: it is freed before the next one is requested.
            for data in stream.read_page(self._next_page(walk), walk):
                if data is CHECKPOINT:  # the position moved within the page: one row's list was read whole
                    self._checkpoint.emit()
                    continue
                if progress is not None:
                    progress.record()
                yield Record(data=data, stream_name=name)
            if stream.is_resumable:
                self._checkpoint.emit()

    def _next_page(self, walk: PageWalk) -> requests.Response:
        """The stream's own request, or the page its page source has for it."""
        return self._stream.request_page(walk) if self._pages is None else self._pages.next_page(walk)

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


def _key_fields(primary_key: Any) -> list[str]:
    """The CDK's primary key is a list of fields; a stream declares one field, several, or none."""
    if primary_key is None:
        return []
    return [primary_key] if isinstance(primary_key, str) else list(primary_key)


def _usable(state: Mapping[str, Any]) -> dict[str, Any]:
    # The CDK's marker for "a full refresh ended" is no position (AbstractSource drops it the same way).
    return {} if state == {NO_CURSOR_STATE_KEY: True} else dict(state)


def _lane(stream: ZendeskStream) -> str:
    """Streams of one lane are read one after another, the lanes side by side: the incremental exports share
    Zendesk's 10-a-minute export budget, so reading two at once gains nothing, while every other endpoint can go on
    while they wait. A stream asking for its records once per parent (side_conversations) has a lane of its own: its
    hours go to those requests, not to the few export pages they hang on, and would hold either lane that long. A
    lane costs little CPU (more threads than a few contend for the interpreter's lock)."""
    if stream.per_parent is not None:
        return "requests per record"
    return "incremental exports" if is_export(stream.url_base + stream.endpoint) else "other endpoints"


def read_catalog(streams: Iterable[ZendeskStream], catalog: ConfiguredAirbyteCatalog,
                 state: list[AirbyteStateMessage] | None, logger: logging.Logger,
                 read_others: Callable[[ConfiguredAirbyteCatalog], Iterable[AirbyteMessage]],
                 estimates: Estimates | None = None) -> Iterable[AirbyteMessage]:
    """The configured streams this source has, side by side; any other catalog entry goes to `read_others`
    (AbstractSource.read, which reports a stream it does not know). `estimates`: the sync's row estimates and
    progress (estimates.py)."""
    by_name = {stream.name: stream for stream in streams}
    known = [(by_name[entry.stream.name], entry) for entry in catalog.streams if entry.stream.name in by_name]
    unknown = [entry for entry in catalog.streams if entry.stream.name not in by_name]
    if known:
        yield from read_concurrently(known, ConnectorStateManager(state=state), logger, estimates)
    if unknown:
        yield from read_others(ConfiguredAirbyteCatalog(streams=unknown))


def read_concurrently(streams: list[tuple[ZendeskStream, ConfiguredAirbyteStream]], state_manager: ConnectorStateManager,
                      logger: logging.Logger, estimates: Estimates | None = None) -> Iterable[AirbyteMessage]:
    """Read `streams` (each with its configured catalog entry), one worker thread each."""
    queue: Queue = Queue(maxsize=QUEUE_SIZE)
    repository = ConcurrentMessageRepository(queue, InMemoryMessageRepository())
    sources = share_pages([(stream, configured.sync_mode) for stream, configured in streams],
                          lambda stream: _usable(state_manager.get_stream_state(stream.name, stream.namespace)))
    concurrent_streams = []
    for stream, configured in streams:
        checkpoint = StateCheckpoint(stream, state_manager, repository)
        incoming = state_manager.get_stream_state(stream.name, stream.namespace)
        cursor_field = stream.cursor_field
        pages = sources.get(stream.name)
        progress = None if estimates is None else StreamProgress(stream.name, stream.namespace, estimates,
                                                                 repository.emit_message)
        partition = WholeStream(stream, configured, incoming, checkpoint, pages, progress)
        concurrent_streams.append(laned_stream(
            partition_generator=OnePartition(partition),
            name=stream.name,
            json_schema=stream.get_json_schema,
            primary_key=_key_fields(stream.primary_key),
            cursor_field=CursorField(cursor_field) if isinstance(cursor_field, str) and cursor_field else None,
            logger=logger,
            cursor=PositionCursor(stream, checkpoint),
            lane="" if isinstance(pages, FollowedPages) else _lane(stream),  # a follower runs beside its publisher
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
    yield from source.read(concurrent_streams)  # type: ignore[arg-type]  # a list of DefaultStream is what it reads

