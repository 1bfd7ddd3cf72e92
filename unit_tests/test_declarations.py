"""A stream is one declaration: declaring it is enough to have it read, and what it says is said once."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import source_zendesk_support.streams as streams_package
from source_zendesk_support.paginators import PageCursorPaginator
from source_zendesk_support.state import FullRefresh, ListPosition
from source_zendesk_support.streams import BY_NAME, STREAMS, ZendeskStream, stream_name


def _declared() -> list[type[ZendeskStream]]:
    """Every stream class of the streams package that no other class builds on (the shared bases are not streams)."""
    for module in pkgutil.iter_modules(streams_package.__path__, f"{streams_package.__name__}."):
        importlib.import_module(module.name)
    found, todo = [], list(ZendeskStream.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith(streams_package.__name__) and not cls.__subclasses__():
            found.append(cls)
    return found


def test_given_every_stream_declared_then_each_is_in_the_catalog():
    missing = sorted(cls.__name__ for cls in _declared() if cls not in STREAMS)
    assert missing == [], f"declared but not in STREAMS (streams/__init__.py), so never read: {missing}"


def test_given_the_catalog_then_it_holds_each_stream_once_and_no_shared_base():
    assert len(set(STREAMS)) == len(STREAMS)
    assert not [cls.__name__ for cls in STREAMS if cls.__subclasses__()]


@pytest.mark.parametrize("stream", [s for s in STREAMS if s.pages_of], ids=stream_name)
def test_given_a_stream_reading_another_streams_pages_then_alone_it_requests_the_same_endpoint(stream):
    other = BY_NAME[stream.pages_of]
    assert (stream.endpoint, type(stream.paginator)) == (other.endpoint, type(other.paginator))
    assert not other.pages_of, "pages are read from the stream that requests them, not from a reader of them"


@pytest.mark.parametrize("stream", STREAMS, ids=stream_name)
def test_given_a_stream_then_its_position_alone_says_whether_it_is_incremental_and_by_which_cursor(stream):
    cursor = stream.position.catalog_cursor
    assert (stream.cursor_field if isinstance(stream.cursor_field, str) else None) == cursor
    assert (cursor is None) == isinstance(stream.position, FullRefresh)


def test_given_a_stream_declaring_a_cursor_field_then_the_declaration_is_refused():
    with pytest.raises(TypeError, match="its position says whether it is incremental"):
        type("Groupings", (ZendeskStream,), {"endpoint": "groups.json", "records_key": "groups",
                                             "paginator": PageCursorPaginator(), "position": ListPosition(),
                                             "cursor_field": "updated_at"})
