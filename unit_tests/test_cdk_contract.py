"""What the connector needs of the Airbyte CDK beyond its documented API, checked against the installed CDK.

source_zendesk_support/cdk.py is the only module reaching into the CDK's internals; these tests fail, saying what
changed, when a CDK release moves one of them (bin/test runs them on the newest locked CDK and on the declared floor).
Each test names the connector code that depends on what it checks.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import logging
import pkgutil
import re
import threading
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path
from queue import Queue
from typing import Any

import pytest
import requests
import requests_mock
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import Type
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.streams.http.error_handlers import HttpStatusErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction
from airbyte_cdk.sources.streams.http.exceptions import UserDefinedBackoffException
from airbyte_cdk.sources.streams.http.page_size_reduction_exception import PageSizeReductionRequiredException
from airbyte_cdk.sources.streams.http.rate_limiting import user_defined_backoff_handler
from airbyte_cdk.sources.streams.http.requests_native_auth import (
    SingleUseRefreshTokenOauth2Authenticator,
    TokenAuthenticator,
)
from airbyte_cdk.sources.types import Record
from airbyte_cdk.sources.utils.slice_logger import DebugSliceLogger
from airbyte_cdk.utils.print_buffer import PrintBuffer

import source_zendesk_support
from source_zendesk_support import cdk, driver, errors, pacing, run
from source_zendesk_support.streams import STREAMS

PACKAGE = Path(source_zendesk_support.__file__).parent
logger = logging.getLogger("airbyte")


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


class _Items(HttpStream):
    """The smallest HttpStream: GET https://cdk.test/api/items, or the URL a page token carries."""

    url_base = "https://cdk.test/api/"
    primary_key = "id"

    def path(self, *, next_page_token: Mapping[str, Any] | None = None, **kwargs: Any) -> str:
        return next_page_token["url"] if next_page_token else "items"

    def request_params(self, *args: Any, **kwargs: Any) -> MutableMapping[str, Any]:
        return {"per_page": 2}

    def next_page_token(self, response: requests.Response) -> Mapping[str, Any] | None:
        return None

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Mapping[str, Any]]:
        return response.json()["items"]


# -- HttpStream: one page, and a request through the stream's own client (streams/base.py) ------------------------
def test_given_the_cdk_then_a_stream_has_an_http_client_that_sends_with_its_authenticator_and_dedupes_params():
    assert {"http_method", "url", "request_kwargs", "params", "dedupe_query_params"} <= set(
        _parameters(type(_Items(authenticator=None)._http_client).send_request)
    ), "HttpClient.send_request changed its parameters: update cdk.send"
    with requests_mock.Mocker() as mock:
        mock.get("https://cdk.test/api/items/1/threads", json={"threads": []})
        response = cdk.send(_Items(authenticator=TokenAuthenticator("t0ken")),
                            "https://cdk.test/api/items/1/threads?page=2", {"page": "2", "size": 10}, {"timeout": 5})
    assert response.json() == {"threads": []}
    sent = mock.request_history[0]
    assert sent.headers["Authorization"] == "Bearer t0ken"
    assert sent.qs == {"page": ["2"], "size": ["10"]}, "a parameter already in the URL was sent twice"


# -- the error table (errors.py) --------------------------------------------------------------------------------
def test_given_the_cdk_then_the_status_handler_takes_the_arguments_the_zendesk_handler_passes():
    assert _parameters(HttpStatusErrorHandler.__init__)[:5] == [
        "self", "logger", "error_mapping", "max_retries", "max_time"
    ], "HttpStatusErrorHandler's constructor changed: update errors.ZendeskErrorHandler"
    handler = errors.ZendeskErrorHandler(logger, "tickets", "acme.zendesk.com")
    assert handler.max_retries == errors.MAX_RETRIES and handler.max_time == errors.MAX_RETRY_SECONDS


@pytest.mark.parametrize("action", ["RATE_LIMITED", "REFRESH_TOKEN_THEN_RETRY", "REDUCE_PAGE_SIZE", "IGNORE", "FAIL"])
def test_given_the_cdk_then_the_response_actions_the_error_table_uses_exist(action):
    assert hasattr(ResponseAction, action), f"ResponseAction.{action} is gone: the error table (errors.py) uses it"


def test_given_a_page_size_reduction_then_the_exception_carries_the_error_tables_message():
    reduction = PageSizeReductionRequiredException(stream_name="tickets", error_message="Zendesk timed out.")
    assert getattr(reduction, "error_message", None) == "Zendesk timed out.", (
        "PageSizeReductionRequiredException.error_message is gone: streams/base.py logs it when it shrinks a page"
    )


def test_given_a_backoff_then_the_cdk_sleeps_one_second_more_than_asked_as_errors_py_assumes():
    slept: list[float] = []
    response = requests.Response()
    response.status_code, response.request = 429, requests.Request("GET", "https://cdk.test/api/items").prepare()
    calls = iter([UserDefinedBackoffException(backoff=0.25, request=response.request, response=response), None])

    def attempt() -> str:
        failure = next(calls)
        if failure is not None:
            raise failure
        return "done"

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("airbyte_cdk.sources.streams.http.rate_limiting.time.sleep", slept.append)
        assert user_defined_backoff_handler(max_tries=2, max_time=60)(attempt)() == "done"
    assert slept[:1] == [0.25 + errors.CDK_EXTRA_SLEEP], "the CDK's extra second changed: update CDK_EXTRA_SLEEP"


# -- OAuth (auth.py) ----------------------------------------------------------------------------------------------
def test_given_the_cdk_then_the_refresh_authenticator_takes_the_error_settings_auth_py_passes():
    assert {"connector_config", "token_refresh_endpoint", "refresh_token_error_status_codes",
            "refresh_token_error_key", "refresh_token_error_values"} <= set(
        _parameters(SingleUseRefreshTokenOauth2Authenticator.__init__))


# -- the entrypoint (run.py, output.py) ---------------------------------------------------------------------------
def test_given_the_cdk_then_the_entrypoint_validates_the_config_through_the_static_method_run_py_replaces():
    assert isinstance(inspect.getattr_static(AirbyteEntrypoint, "validate_connection"), staticmethod)
    assert _parameters(AirbyteEntrypoint.validate_connection) == ["source_spec", "config"]
    assert "self.validate_connection(" in inspect.getsource(AirbyteEntrypoint.run) + inspect.getsource(
        AirbyteEntrypoint), "the entrypoint no longer calls validate_connection: run._Entrypoint's override is dead"
    assert run._Entrypoint.validate_connection(None, {}) is None  # type: ignore[arg-type]


def test_given_the_print_buffer_then_buffered_chars_counts_what_waits_and_a_flush_empties_it(capfd):
    buffer = PrintBuffer(flush_interval=3600)
    buffer.write("0123456789")
    assert cdk.buffered_chars(buffer) == 10
    buffer.flush()
    assert cdk.buffered_chars(buffer) == 0
    assert capfd.readouterr().out == "0123456789"


# -- the concurrent framework (driver.py) ---------------------------------------------------------------------
@pytest.mark.parametrize("implementation", [
    driver.PositionCursor, driver.WholeStream, driver.OnePartition, pacing.Pacer, errors.ZendeskBackoff,
    errors.ZendeskErrorHandler, *STREAMS,
], ids=lambda cls: cls.__name__)
def test_given_the_cdk_then_every_class_the_connector_derives_from_it_implements_all_its_abstract_methods(implementation):
    missing = sorted(getattr(implementation, "__abstractmethods__", ()))
    assert missing == [], f"the CDK added abstract methods {implementation.__name__} lacks: {missing}"


def test_given_the_cdk_then_the_concurrent_source_takes_the_arguments_the_driver_passes():
    inspect.signature(cdk.ConcurrentSource.create).bind(
        num_workers=2, initial_number_of_partitions_to_generate=1, logger=logger, slice_logger=DebugSliceLogger(),
        message_repository=InMemoryMessageRepository(), queue=Queue())
    inspect.signature(cdk.ConcurrentMessageRepository).bind(Queue(), InMemoryMessageRepository())
    assert cdk.NO_CURSOR_STATE_KEY == "__ab_no_cursor_state_message"


class _Timed(cdk.Partition):
    """One partition of one record that takes a while to read, and notes when its read starts and ends."""

    def __init__(self, name: str, events: list[tuple[str, str]], seconds: float) -> None:
        self._name, self._events, self._seconds = name, events, seconds

    def read(self) -> Iterable[Record]:
        self._events.append(("start", self._name))
        threading.Event().wait(self._seconds)  # a real wait: in unit tests time.sleep records instead of sleeping
        self._events.append(("end", self._name))
        yield Record(data={"id": 1}, stream_name=self._name)

    def to_slice(self) -> Mapping[str, Any] | None:
        return None

    def stream_name(self) -> str:
        return self._name

    def __hash__(self) -> int:
        return hash(self._name)


class _One(cdk.PartitionGenerator):
    def __init__(self, partition: cdk.Partition) -> None:
        self._partition = partition

    def generate(self) -> Iterable[cdk.Partition]:
        yield self._partition


class _NoState(cdk.Cursor):
    @property
    def state(self) -> MutableMapping[str, Any]:
        return {}

    def observe(self, record: Record) -> None:
        pass

    def close_partition(self, partition: cdk.Partition) -> None:
        pass

    def ensure_at_least_one_state_emitted(self) -> None:
        pass

    def should_be_synced(self, record: Record) -> bool:
        return True


def _read_laned(lanes: dict[str, str], seconds: float) -> tuple[list[str], list[str]]:
    """Read one stream per lane entry concurrently; returns what happened in order ("start" / "end" of each
    stream's read) and the streams of the records."""
    events: list[tuple[str, str]] = []
    streams = [cdk.laned_stream(partition_generator=_One(_Timed(name, events, seconds)), name=name,
                                json_schema=lambda: {"type": "object"}, primary_key=["id"], cursor_field=None,
                                logger=logger, cursor=_NoState(), lane=lane) for name, lane in lanes.items()]
    queue: Queue = Queue()
    source = cdk.ConcurrentSource.create(num_workers=len(streams) + 1, initial_number_of_partitions_to_generate=2,
                                         logger=logger, slice_logger=DebugSliceLogger(),
                                         message_repository=cdk.ConcurrentMessageRepository(
                                             queue, InMemoryMessageRepository()), queue=queue)
    records = [m.record.stream for m in source.read(streams) if m.type == Type.RECORD]  # type: ignore[arg-type]
    return [kind for kind, _ in events], records


def test_given_two_streams_in_one_lane_when_read_concurrently_then_one_starts_after_the_other_ended():
    events, records = _read_laned({"first": "exports", "second": "exports"}, seconds=0.3)
    assert sorted(records) == ["first", "second"]
    assert events == ["start", "end", "start", "end"], "the CDK read two streams of one lane at once"


def test_given_two_streams_in_different_lanes_when_read_concurrently_then_they_run_side_by_side():
    # A second each: the CDK starts the second stream within about 0.1 s here (it polls its queues).
    events, records = _read_laned({"first": "exports", "second": "other endpoints"}, seconds=1.0)
    assert sorted(records) == ["first", "second"]
    assert events == ["start", "start", "end", "end"], "streams of different lanes no longer run side by side"


# -- nothing else reaches into the CDK ---------------------------------------------------------------------------
def _cdk_private_names() -> dict[str, set[str]]:
    """For each connector class built on a CDK class: the private names (`_x`) its CDK ancestors define."""
    private: dict[str, set[str]] = {}
    for module_info in pkgutil.walk_packages(source_zendesk_support.__path__, "source_zendesk_support."):
        module = importlib.import_module(module_info.name)
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            for base in cls.__mro__[1:]:
                if base.__module__.startswith("airbyte_cdk."):
                    names = {n for n in vars(base) if re.fullmatch(r"_[a-z]\w*", n)}
                    names |= set(re.findall(r"self\.(_[a-z]\w*)", inspect.getsource(base)))
                    private.setdefault(cls.__name__, set()).update(names)
    return private


def test_given_the_connector_then_only_cdk_py_touches_the_private_attributes_of_cdk_classes():
    private = _cdk_private_names()
    everywhere = set().union(*private.values())
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "cdk.py" and path.parent == PACKAGE:
            continue
        tree = ast.parse(path.read_text())
        for cls in [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]:
            for node in ast.walk(cls):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
                        and node.attr in private.get(cls.name, ())):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {cls.name} self.{node.attr}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in everywhere
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}")
    assert found == [], "CDK internals used outside source_zendesk_support/cdk.py: move them behind it"
