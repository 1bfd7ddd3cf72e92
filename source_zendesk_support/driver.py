"""Reading the selected streams side by side, with the CDK's concurrent framework.

Why: under Zendesk's limits a sync is bound by its incremental-export requests (10 a minute); streams on other
endpoints (audits, lists) can be read while the exports wait for the next minute, so the sync ends when the
exports end instead of adding the rest after them.

How: each stream is one partition, read by a worker thread page by page exactly as the stream reads itself
(`stream_slices` gives one slice per page, `read_records` reads it and moves the stream's position). The streams go
in lanes (see `_lane`), each lane one stream at a time, plus the streams reading another's pages beside it
(sharing.py). After every page the stream's state is handed to the CDK's concurrent message repository, which
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
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import InMemoryMessageRepository, MessageRepository
from airbyte_cdk.sources.types import Record
from airbyte_cdk.sources.utils.slice_logger import DebugSliceLogger
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

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
from .sharing import FollowedPages, OwnRequests, PageBroadcast
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
    """All pages of one stream, read in order, a checkpoint after each page. `on_end` learns how the read ended
    (None, or the exception that ended it): the stream's page source tells the streams sharing its pages.
    `progress` sends the stream's row estimate before its first record and counts its records (estimates.py)."""

    def __init__(self, stream: ZendeskStream, configured: ConfiguredAirbyteStream, incoming_state: Mapping[str, Any],
                 checkpoint: StateCheckpoint, on_end: Callable[[BaseException | None], None] | None = None,
                 progress: StreamProgress | None = None) -> None:
        self._stream, self._configured = stream, configured
        self._incoming_state, self._checkpoint, self._on_end = incoming_state, checkpoint, on_end
        self._progress = progress

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
            if self._on_end is not None:
                self._on_end(error)

    def _read(self) -> Iterable[Record]:
        stream, mode = self._stream, self._configured.sync_mode
        cursor_field = self._configured.cursor_field or None
        # Set here, in the worker, so that a state this stream cannot use fails this stream only (as in AbstractSource).
        stream.state = _usable(self._incoming_state)
        progress = self._progress
        if progress is not None:
            # Before the first page: the estimate goes out ahead of every record (the same queue carries both).
            progress.begin(from_start=mode == SyncMode.full_refresh or not _usable(self._incoming_state))
        name = stream.name
        for page in stream.stream_slices(sync_mode=mode, cursor_field=cursor_field, stream_state=stream.state):
            for data in stream.read_records(mode, cursor_field=cursor_field, stream_slice=page,
                                            stream_state=stream.state):
                if progress is not None:
                    progress.record()
                yield Record(data=data, stream_name=name)  # type: ignore[arg-type]  # our streams yield records only
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


def share_pages(streams: list[tuple[ZendeskStream, ConfiguredAirbyteStream]],
                state_manager: ConnectorStateManager) -> dict[str, PageBroadcast]:
    """Give the streams of one family (sharing.py) one broadcast when several are selected in the same sync mode and
    from the same position (or a full refresh with a list read whole anyway): the family's own stream publishes when
    selected, else the first selected that reads its records from the pages themselves (one asking for per-parent
    lists row by row goes at the pace of those requests, and stops when Zendesk refuses them: its followers would wait
    on it, then fail). Returns the broadcasts by the name of each stream in one."""
    families: dict[str, list[tuple[ZendeskStream, ConfiguredAirbyteStream]]] = {}
    for stream, configured in streams:
        families.setdefault(stream.family, []).append((stream, configured))
    broadcasts: dict[str, PageBroadcast] = {}
    for family, members in families.items():
        members.sort(key=lambda member: (member[0].name != family, member[0].per_parent is not None))
        publisher, publisher_configured = members[0]
        followers = [stream for stream, configured in members[1:]
                     if _same_position(stream, configured, publisher, publisher_configured, state_manager)]
        if not followers:
            continue
        # A follower reading other records than the publisher's gets the publisher's rows cut to the fields it reads.
        keep = sorted({name for f in followers if f.observes == publisher.page_key for name in f.observed_fields})
        broadcast = PageBroadcast(publisher.name, publisher.page_key,
                                  [(f.name, f.records_key == publisher.page_key, f.page_key) for f in followers], keep)
        embedded = [f.embedded_as for f in followers if f.embedded_as and f.pages_of == publisher.name]
        publisher.read_pages_from(OwnRequests(broadcast, embedded), followers)
        for follower in followers:
            follower.read_pages_from(FollowedPages(broadcast, follower.name))
        for stream in (publisher, *followers):
            broadcasts[stream.name] = broadcast
    return broadcasts


def _same_position(stream: ZendeskStream, configured: ConfiguredAirbyteStream, publisher: ZendeskStream,
                   publisher_configured: ConfiguredAirbyteStream, state_manager: ConnectorStateManager) -> bool:
    if configured.sync_mode != publisher_configured.sync_mode:
        # A full refresh may take the pages of an incremental list that reads them all anyway (schedule_holidays
        # those of schedules: a list with no time filter, read from its start).
        if configured.sync_mode != SyncMode.full_refresh:
            return False
        try:
            publisher.state = _usable(state_manager.get_stream_state(publisher.name, publisher.namespace))
        except AirbyteTracedException:
            return False
        return publisher.reads_every_page
    if configured.sync_mode != SyncMode.incremental:
        return True
    try:
        stream.state = _usable(state_manager.get_stream_state(stream.name, stream.namespace))
        publisher.state = _usable(state_manager.get_stream_state(publisher.name, publisher.namespace))
    except AirbyteTracedException:
        return False  # each reads alone, and the stream with the unusable state fails on its own
    return stream.state == publisher.state  # e.g. one was added to the connection later: it catches up alone once


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
    broadcasts = share_pages(streams, state_manager)
    concurrent_streams = []
    for stream, configured in streams:
        checkpoint = StateCheckpoint(stream, state_manager, repository)
        incoming = state_manager.get_stream_state(stream.name, stream.namespace)
        cursor_field = stream.cursor_field
        following = stream.name in broadcasts and broadcasts[stream.name].publisher != stream.name
        progress = None if estimates is None else StreamProgress(stream.name, stream.namespace, estimates,
                                                                 repository.emit_message)
        partition = WholeStream(stream, configured, incoming, checkpoint, stream.end_of_pages, progress)
        concurrent_streams.append(laned_stream(
            partition_generator=OnePartition(partition),
            name=stream.name,
            json_schema=stream.get_json_schema,
            primary_key=_key_fields(stream.primary_key),
            cursor_field=CursorField(cursor_field) if isinstance(cursor_field, str) and cursor_field else None,
            logger=logger,
            cursor=PositionCursor(stream, checkpoint),
            lane="" if following else _lane(stream),  # a follower runs beside its publisher
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

