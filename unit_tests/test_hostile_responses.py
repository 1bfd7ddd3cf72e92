"""Hostile responses, property-based: whatever page sequence Zendesk (or something pretending to be it) sends, the
connector ends, emits every record it was given or says clearly why it stopped, and never crashes on a shape.

- Paginators: any JSON object as a page gives a next URL, the end, or a pagination error; nothing else.
- Streams, through the real entrypoint and the strict mock: random page sequences (empty pages before the end
  included) are read whole with a state per page; one hostile change to one page (a missing or null envelope key,
  records that are not a list of objects, a cursor pointing back to a page already read, a flag that is not a
  boolean, a cursor value that is not a time, a body that is not JSON) ends the stream with a message of ours, after
  emitting exactly the pages before it (or, for a retried body, reads everything).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from source_zendesk_support.paginators import (
    AuditCursorPaginator,
    ExportCursorPaginator,
    ExportTimePaginator,
    PageCursorPaginator,
)

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of
from .stream_cases import BY_NAME, PAGED
from .zendesk_http import ZendeskMock, ZendeskResponse

# -- paginators ----------------------------------------------------------------------------------------------------
ANY_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.just("https://acme.zendesk.com/api/v2/x.json"),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
ENVELOPE_KEYS = [
    "end_of_stream",
    "after_url",
    "next_page",
    "meta",
    "links",
    "has_more",
    "next",
    "before_url",
    "end_time",
]
NESTED = st.dictionaries(st.sampled_from(ENVELOPE_KEYS), ANY_VALUE, max_size=4)
BODIES = st.dictionaries(st.sampled_from(ENVELOPE_KEYS), ANY_VALUE | NESTED, max_size=6)
PAGINATORS = [ExportCursorPaginator(), ExportTimePaginator(), PageCursorPaginator(), AuditCursorPaginator()]


@settings(max_examples=500, deadline=None)
@given(paginator=st.sampled_from(PAGINATORS), body=BODIES)
def test_given_any_page_envelope_then_a_next_url_the_end_or_a_pagination_error(paginator, body):
    try:
        url = paginator.next_url(body)
    except AirbyteTracedException as error:
        assert error.message.startswith("Zendesk's pagination cannot be followed: ")
    else:
        assert url is None or (isinstance(url, str) and url)


# -- streams -------------------------------------------------------------------------------------------------------
MUTATIONS = ["none", "drop_records", "null_records", "records_not_list", "record_not_object", "drop_envelope",
             "null_envelope", "flag_not_bool", "loop", "bad_cursor_value", "not_json_then_ok"]  # fmt: skip
FAILING_PREFIXES = ("Zendesk's pagination cannot be followed: ", "Zendesk sent a page of ")


@dataclass
class Scenario:
    stream: str
    pages: list[list[tuple[int, int]]]
    hostile_page: int
    mutation: str


@st.composite
def scenarios(draw) -> Scenario:
    stream = draw(st.sampled_from(sorted(BY_NAME)))
    n_pages = draw(st.integers(min_value=1, max_value=5 if BY_NAME[stream].paged else 1))
    sizes = draw(st.lists(st.integers(min_value=0, max_value=4), min_size=n_pages, max_size=n_pages))
    time_export = BY_NAME[stream].time_export
    if time_export:
        sizes = [max(1, size) for size in sizes]  # a time export page without records ends the export
    next_id, clock, pages = 1, START + DAY, []
    for size in sizes:
        page = []
        for _ in range(size):
            clock += draw(st.integers(min_value=1 if time_export else 0, max_value=3600))
            page.append((next_id, clock))
            next_id += 1
        pages.append(page)
    if BY_NAME[stream].newest_first:
        pages = [[(i, START + 400 * DAY - (t - START)) for i, t in page] for page in pages]
    mutation = draw(st.sampled_from(MUTATIONS))
    hostile_page = draw(st.integers(min_value=0, max_value=n_pages - 1))
    return Scenario(stream, pages, hostile_page, mutation)


def _mutate(scenario: Scenario, script: list) -> str | None:
    """Apply the scenario's change to its page; returns None when the change does not apply to this stream/page."""
    before = json.dumps(script[scenario.hostile_page][1], sort_keys=True)
    applied = _apply(scenario, script)
    return applied if json.dumps(script[scenario.hostile_page][1], sort_keys=True) != before else None


def _apply(scenario: Scenario, script: list) -> str | None:
    stream, k, mutation = scenario.stream, scenario.hostile_page, scenario.mutation
    case = BY_NAME[stream]
    request, body = script[k]
    key = case.page_key
    last = k == len(script) - 1
    if mutation == "drop_records":
        del body[key]
        body.pop(case.carriers, None)  # a sideload's position is on the rows it rides on
    elif mutation == "null_records":
        body[key] = None
    elif mutation == "records_not_list":
        body[key] = {"id": 1}
    elif mutation == "record_not_object":
        body[key] = [*body[key], "not a record"]
    elif mutation == "drop_envelope":
        for name in ("end_of_stream", "after_url", "next_page", "meta", "links", "before_url"):
            body.pop(name, None)
    elif mutation == "null_envelope":
        for name in ("end_of_stream", "meta", "links"):
            if name in body:
                body[name] = None
        if case.next_key == "before_url":
            return None  # null before_url is how Zendesk marks the oldest page
    elif mutation == "flag_not_bool":
        if case.end_flag:
            body[case.end_flag] = "false" if body[case.end_flag] is False else "true"
        elif "meta" in body:
            body["meta"]["has_more"] = "true" if body["meta"]["has_more"] else "false"
        else:
            return None
    elif mutation == "loop":
        if last:
            return None
        back = script[max(0, k - 1)][0].url if k else request.url
        if case.next_key == "links.next":
            body["links"]["next"] = back
        elif case.next_key:
            body[case.next_key] = back
    elif mutation == "bad_cursor_value":
        if case.time_export:
            body["end_time"] = "soon"  # its position is the envelope's end_time, not a record's updated_at
        elif case.incremental and isinstance(body.get(case.carriers), list) and body[case.carriers]:
            body[case.carriers][0][case.position.field] = "soon"
        else:
            return None
    return mutation


def _expect(zendesk: ZendeskMock, scenario: Scenario, script: list, stop: int) -> None:
    """Register pages 0..stop (the connector must not ask for more), and the lists of their rows for a stream asking
    for its records per row."""
    for n, (request, body) in enumerate(script[: stop + 1]):
        good = ZendeskResponse.ok(body)
        if n == scenario.hostile_page and scenario.mutation == "not_json_then_ok":
            zendesk.expect(request, ZendeskResponse(200, json.dumps(body).encode()[:-7]), good)
        else:
            zendesk.expect(request, good)
    for request, body in BY_NAME[scenario.stream].per_parent_script(scenario.pages[: stop + 1]):
        zendesk.expect(request, ZendeskResponse.ok(body))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario=scenarios())
def test_given_a_random_page_sequence_with_at_most_one_hostile_page_then_all_records_or_a_clear_error(scenario):
    case = BY_NAME[scenario.stream]
    script = case.script(START, scenario.pages)
    applied = _mutate(scenario, script) if scenario.mutation not in ("none", "not_json_then_ok") else None
    failing = applied is not None
    stop = scenario.hostile_page if failing else len(script) - 1
    with ZendeskMock() as zendesk:
        _expect(zendesk, scenario, script, stop)
        output = read(api_token_config(), [scenario.stream], expect_failure=failing)
        emitted = records_of(output, scenario.stream)
        ids = [record[case.key] for record in emitted]
        expected_before = [i for page in scenario.pages[: scenario.hostile_page] for i in case.ids(page)]
        if not failing:
            zendesk.verify()  # every page was asked for, none twice
            assert ids == [i for page in scenario.pages for i in case.ids(page)]
            assert not error_traces(output)
            if case.incremental:
                assert len(states_of(output, scenario.stream)) >= len(script)
            return
        assert not zendesk.unexpected, "a hostile page must stop the stream, not lead it astray"
        messages = [trace.message for trace in error_traces(output) if trace.stream_descriptor]
        assert messages and messages[0].startswith(FAILING_PREFIXES), messages
        # Nothing silently lost before the hostile page; its own records only if they were readable.
        on_page = case.ids(scenario.pages[scenario.hostile_page])
        assert ids in (expected_before, expected_before + on_page), (ids, expected_before)


@pytest.mark.parametrize("stream", sorted(case.name for case in PAGED))
def test_given_empty_pages_before_the_end_then_every_page_is_followed(stream, zendesk):
    case = BY_NAME[stream]
    if case.time_export:
        pages = [[(1, START + DAY)], [(2, START + DAY + 5)]]
    elif case.newest_first:
        pages = [[(2, START + 9 * DAY)], [], [(1, START + 8 * DAY)]]
    else:
        pages = [[], [(1, START + DAY)], [], [], [(2, START + DAY + 5)]]
    for request, body in case.script(START, pages) + case.per_parent_script(pages):
        zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), [stream])

    assert [r[case.key] for r in records_of(output, stream)] == [
        i for page in pages for i in case.ids(page)
    ]
