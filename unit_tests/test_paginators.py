"""Each pagination style on its own: the first request's parameters and what comes next."""

from __future__ import annotations

import pytest
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_zendesk_support.paginators import (
    AuditCursorPaginator,
    ExportCursorPaginator,
    ExportTimePaginator,
    PageCursorPaginator,
    request_key,
)

NEXT = "https://acme.zendesk.com/api/v2/next"


def test_given_the_cursor_export_when_first_request_then_it_asks_for_the_largest_page():
    assert ExportCursorPaginator().first_params() == {"per_page": 1000}


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"end_of_stream": False, "after_url": NEXT, "tickets": []}, NEXT),  # an empty page does not end the export
        ({"end_of_stream": False, "after_url": NEXT, "tickets": [{"id": 1}]}, NEXT),
        ({"end_of_stream": True, "after_url": NEXT}, None),
    ],
)
def test_given_a_cursor_export_page_when_paginating_then_after_url_until_end_of_stream(body, expected):
    assert ExportCursorPaginator().next_url(body) == expected


def test_given_a_cursor_export_page_without_after_url_before_the_end_when_paginating_then_error():
    with pytest.raises(AirbyteTracedException, match="has no 'after_url'"):
        ExportCursorPaginator().next_url({"end_of_stream": False, "after_url": None})


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"end_of_stream": False, "next_page": NEXT, "end_time": 5}, NEXT),
        ({"end_of_stream": True, "next_page": NEXT}, None),
    ],
)
def test_given_a_time_export_page_when_paginating_then_next_page_until_end_of_stream(body, expected):
    assert ExportTimePaginator().first_params() == {}
    assert ExportTimePaginator().next_url(body) == expected


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"meta": {"has_more": True}, "links": {"next": NEXT}}, NEXT),
        ({"meta": {"has_more": False}, "links": {"next": NEXT}}, None),
        ({"meta": {"has_more": False}, "links": {"next": None}}, None),
    ],
)
def test_given_a_list_page_when_paginating_then_links_next_while_has_more(body, expected):
    assert PageCursorPaginator().first_params() == {"page[size]": 100}
    assert PageCursorPaginator().next_url(body) == expected


def test_given_a_list_page_with_has_more_but_no_link_when_paginating_then_error():
    with pytest.raises(AirbyteTracedException, match="has no 'next'"):
        PageCursorPaginator().next_url({"meta": {"has_more": True}, "links": {}})


@pytest.mark.parametrize("body, expected", [({"before_url": NEXT}, NEXT), ({"before_url": None}, None)])
def test_given_an_audit_page_when_paginating_then_before_url_to_older_pages(body, expected):
    assert AuditCursorPaginator().first_params() == {"limit": 1000}
    assert AuditCursorPaginator().next_url(body) == expected


def test_given_an_audit_page_without_before_url_when_paginating_then_error_not_the_end():
    # Zendesk sends "before_url": null on the oldest page; a page without the key is not a last page.
    with pytest.raises(AirbyteTracedException, match="has no 'before_url'"):
        AuditCursorPaginator().next_url({"audits": []})


@pytest.mark.parametrize(
    "a, b, same",
    [
        (
            "https://a.zendesk.com/x.json?start_time=5&per_page=1000",
            "https://a.zendesk.com/x.json?per_page=1000&start_time=5",
            True,
        ),
        ("https://a.zendesk.com/x.json?start_time=5", "https://A.zendesk.com/x.json?start_time=5", True),
        ("https://a.zendesk.com/x.json?start_time=5", "https://a.zendesk.com/x.json?start_time=6", False),
        ("https://a.zendesk.com/x.json?cursor=abc", "https://a.zendesk.com/y.json?cursor=abc", False),
    ],
)
def test_given_two_urls_when_compared_then_only_parameter_order_is_ignored(a, b, same):
    assert (request_key(a) == request_key(b)) is same
