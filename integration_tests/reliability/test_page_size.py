"""Item 9, adaptive page size: a 504 on a large export page makes the connector ask for the same page again with
a smaller `per_page`, and the sync recovers: the size grows back after a few good pages, and every ticket arrives
once. The emulator answers the first two requests of the ticket export with its Envoy-style 504 ("upstream
request timeout"); its request log (--verbose) shows the page sizes the connector asked for.

Then every export at once (issue 19): the emulator times out every page larger than a size on the exports that take
one (`page_timeouts`), and the first page of the two that take none (ticket and metric events), and every record of
every export stream arrives once.
"""

from __future__ import annotations

import re

import pytest

from zendesk_emulator.testing import EmulatorProcess

from .harness import catalog_for, connector_env, count, duplicates, key_value, run_connector, truth_keys

pytestmark = pytest.mark.reliability

EXPORT = "GET https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?"
# The largest page each export builds in time; `times`: a timeout that passes (the exports without a page size).
PAGE_TIMEOUTS = {
    "incremental/tickets/cursor": {"over": 250},
    "incremental/users/cursor": {"over": 250},
    "incremental/organizations": {"over": 50},  # the smallest page: many pages, each ending inside a second
    "incremental/ticket_events": {"over": 250, "times": 1},
    "incremental/ticket_metric_events": {"over": 250, "times": 1},
}
EXPORT_STREAMS = ["tickets", "users", "organizations", "ticket_events", "ticket_comments", "ticket_metric_events"]


@pytest.fixture(scope="module")
def emulator():
    settings = {"fault_sequence": {"incremental/tickets/cursor": ["504", "504_html"]}}
    with EmulatorProcess(seed=97, tickets=3000, plan="unlimited", verbose=True, settings=settings) as emu:
        yield emu


def _export_requests(emulator, export: str = EXPORT) -> list[tuple[int, int]]:
    """(per_page asked, status answered) of every request of an export, in order."""
    found = []
    for line in emulator.stderr().splitlines():
        if line.startswith(export):
            per_page = re.search(r"[?&]per_page=(\d+)", line)
            status = re.search(r" -> (\d{3}) ", line)
            found.append((int(per_page.group(1)) if per_page else 1000, int(status.group(1))))
    return found


def test_given_504s_on_a_large_export_page_then_smaller_pages_are_asked_for_and_the_sync_recovers(emulator, discovered):
    run = run_connector(
        "read", connector_env(emulator), config=emulator.info["config"], catalog=catalog_for(discovered, ["tickets"])
    )

    assert run.exit_code == 0 and not run.errors(), run.describe()
    rows = run.records("tickets")
    assert duplicates(rows, "tickets") == 0
    assert {row["id"] for row in rows} == truth_keys(emulator, "tickets")
    requests = _export_requests(emulator)
    assert requests[:3] == [(1000, 504), (500, 504), (250, 200)], requests[:4]
    assert all(status == 200 for _, status in requests[2:])
    assert max(size for size, _ in requests[3:]) > 250, "the page size never recovered"
    assert sum("asking for a smaller page" in w for w in run.logs("WARN")) == 2
    count(
        "adaptive page size",
        export_504s_survived=2,
        smallest_page=250,
        largest_page_after=max(s for s, _ in requests[3:]),
    )


@pytest.fixture(scope="module")
def timing_out():
    settings = {"page_timeouts": PAGE_TIMEOUTS}
    with EmulatorProcess(seed=98, tickets=600, plan="unlimited", verbose=True, settings=settings) as emu:
        yield emu


def test_given_504s_on_every_export_then_no_record_is_lost_or_repeated(timing_out, discovered):
    emulator = timing_out
    run = run_connector(
        "read", connector_env(emulator), config=emulator.info["config"], catalog=catalog_for(discovered, EXPORT_STREAMS)
    )

    assert run.exit_code == 0 and not run.errors(), run.describe()
    for stream in EXPORT_STREAMS:
        rows = run.records(stream)
        assert duplicates(rows, stream) == 0, stream
        assert {key_value(row, stream) for row in rows} == truth_keys(emulator, stream), stream
    answered = {
        route: _export_requests(emulator, f"GET https://acme.zendesk.com/api/v2/{route}.json?")
        for route in PAGE_TIMEOUTS
    }
    timeouts = {route: sum(status == 504 for _, status in asked) for route, asked in answered.items()}
    for route, rule in PAGE_TIMEOUTS.items():
        assert timeouts[route] >= 1, route
        if "times" not in rule:  # asked smaller: nothing above the size went through
            assert all(size <= rule["over"] for size, status in answered[route] if status == 200), route
    organizations = [size for size, status in answered["incremental/organizations"] if status == 200]
    assert len(organizations) > 2 and set(organizations) == {50}, organizations
    count("504 on every export", export_504s_survived=sum(timeouts.values()), organization_pages_of_50=len(organizations))
