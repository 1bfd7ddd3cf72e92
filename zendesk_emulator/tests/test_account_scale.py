"""Scale smoke test: a 200,000-ticket account builds in seconds, serves export pages and computes its truth.
Figures are printed (pytest -s), not asserted tightly: the budget belongs to the machine, not the test."""

from __future__ import annotations

import resource
import time

import orjson

from .test_account_helpers import Client, make_account


def test_given_200k_tickets_when_built_then_construction_exports_and_truth_stay_fast():
    started = time.perf_counter()
    account, clock = make_account(tickets=200_000)
    built = time.perf_counter() - started
    account.data.prefetcher.enabled = False  # measure generation, not the cache
    client = Client(account)
    started = time.perf_counter()
    page = client.raw("incremental/tickets/cursor.json", start_time=0)
    first_page = time.perf_counter() - started
    body = orjson.loads(page.body)
    started = time.perf_counter()
    second = client.raw("incremental/tickets/cursor.json", cursor=body["after_cursor"])
    next_page = time.perf_counter() - started
    started = time.perf_counter()
    truth = account.truth("tickets")
    truth_seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n200k tickets: built in {built:.2f}s, first export page {first_page * 1000:.0f} ms, next page "
          f"{next_page * 1000:.0f} ms, truth {truth_seconds:.2f}s, peak RSS {rss:.0f} MB")
    assert len(truth) == 200_000 and len(orjson.loads(second.body)["tickets"]) == 1000
    assert account.counts()["users"] == 50_000 and account.counts()["organizations"] == 10_000
    assert built < 30 and next_page < 5
    account.mutate("tickets", 5, 5, 5)
    clock.advance(120)
    tail = client.get("incremental/tickets/cursor.json", start_time=int(clock.now()) - 200)
    assert len(tail["tickets"]) == 15 and tail["end_of_stream"]
