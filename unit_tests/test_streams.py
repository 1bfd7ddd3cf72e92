"""The behaviours every stream shares, run against each stream in STREAMS (stream_cases.py derives their wire shapes)."""

from __future__ import annotations

import pytest
from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.sources.utils.schema_helpers import ResourceSchemaLoader
from jsonschema import Draft7Validator

from source_zendesk_support.errors import CREDENTIALS_REJECTED

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of, warnings
from .stream_cases import CASES, INCREMENTAL, PAGED, StreamCase
from .zendesk_http import ZendeskMock, ZendeskResponse


def _expect(zendesk: ZendeskMock, case: StreamCase, start_time: int, pages: list[list[tuple[int, int]]]) -> None:
    for request, body in case.script(start_time, pages):
        zendesk.expect(request, ZendeskResponse.ok(body))
    _expect_per_parent(zendesk, case, pages)


def _expect_per_parent(zendesk: ZendeskMock, case: StreamCase, pages: list[list[tuple[int, int]]]) -> None:
    """The lists a stream asking for its records per row asks for (none for the others)."""
    for request, body in case.per_parent_script(pages):
        zendesk.expect(request, ZendeskResponse.ok(body))


def _ordered(case: StreamCase, pages: list[list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """Pages as the stream's endpoint sends them: oldest first, or newest first for ticket_audits."""
    if not case.newest_first:
        return pages
    return [sorted(page, key=lambda item: -item[1]) for page in reversed(pages)]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_given_one_page_when_read_then_its_records_and_the_final_state_are_emitted(case, zendesk):
    items = [(1, START + DAY), (2, START + 2 * DAY)]
    _expect(zendesk, case, START, _ordered(case, [items]))

    output = read(api_token_config(), [case.name])

    assert sorted(map(str, (_pk(case, r) for r in records_of(output, case.name)))) == sorted(map(str, case.ids(items)))
    assert not error_traces(output)
    if case.incremental:
        assert states_of(output, case.name)[-1] == case.state(START + 2 * DAY)


@pytest.mark.parametrize("case", PAGED, ids=str)
def test_given_three_pages_when_read_then_every_page_is_followed_and_checkpointed(case, zendesk):
    pages = [
        [(1, START + DAY), (2, START + 2 * DAY)],
        [(3, START + 3 * DAY)],
        [(4, START + 4 * DAY), (5, START + 5 * DAY)],
    ]
    _expect(zendesk, case, START, _ordered(case, pages))

    output = read(api_token_config(), [case.name])

    all_items = [item for page in pages for item in page]
    assert sorted(map(str, (_pk(case, r) for r in records_of(output, case.name)))) == sorted(
        map(str, case.ids(all_items))
    )
    if case.incremental:
        states = states_of(output, case.name)
        assert len(states) >= len(pages)  # one checkpoint per page at least
        assert states[-1] == case.state(START + 5 * DAY)


@pytest.mark.parametrize("case", INCREMENTAL, ids=str)
def test_given_saved_state_when_read_incrementally_then_only_newer_records_and_the_new_state(case, zendesk):
    saved = START + 10 * DAY
    newer = [(5, saved + 100), (6, saved + 200)]
    older = [(4, saved - 100)] if case.filters_client_side else []
    _expect(zendesk, case, saved, _ordered(case, [older + newer]))

    output = read(api_token_config(), [case.name], state={case.name: case.state(saved)})

    assert sorted(map(str, (_pk(case, r) for r in records_of(output, case.name)))) == sorted(map(str, case.ids(newer)))
    assert states_of(output, case.name)[-1] == case.state(saved + 200)


@pytest.mark.parametrize("case", INCREMENTAL, ids=str)
def test_given_saved_state_when_read_as_full_refresh_then_it_starts_from_start_date(case, zendesk):
    items = [(1, START + DAY)]
    _expect(zendesk, case, START, _ordered(case, [items]))

    output = read(
        api_token_config(), {case.name: SyncMode.full_refresh}, state={case.name: case.state(START + 50 * DAY)}
    )

    assert [str(_pk(case, r)) for r in records_of(output, case.name)] == [str(i) for i in case.ids(items)]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_given_429_then_success_when_read_then_waits_exactly_retry_after_and_syncs(case, zendesk, sleeps):
    ((request, body),) = case.script(START, [[(1, START + DAY)]])
    _expect_per_parent(zendesk, case, [[(1, START + DAY)]])
    zendesk.expect(request, ZendeskResponse.rate_limited(retry_after="7"), ZendeskResponse.ok(body))

    output = read(api_token_config(), [case.name])

    # A stream asking per row sends its rows' requests in the bucket the 429 held (the account's), so the pacer holds
    # them until that same Retry-After has passed; waits are recorded, never slept, so that hold shows up again.
    assert sleeps[0] == 7.0 and (sleeps == [7.0] or (case.per_parent and all(0 < w <= 7.0 for w in sleeps[1:])))
    assert [_pk(case, r) for r in records_of(output, case.name)] == case.ids([(1, START + DAY)])
    assert not error_traces(output)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_given_5xx_then_success_when_read_then_retries_with_backoff_and_syncs(case, zendesk, sleeps):
    ((request, body),) = case.script(START, [[(1, START + DAY)]])
    _expect_per_parent(zendesk, case, [[(1, START + DAY)]])
    zendesk.expect(
        request, ZendeskResponse.server_error(503), ZendeskResponse.server_error(502), ZendeskResponse.ok(body)
    )

    output = read(api_token_config(), [case.name])

    assert sleeps == [2.0, 4.0]  # exponential
    assert [_pk(case, r) for r in records_of(output, case.name)] == case.ids([(1, START + DAY)])
    assert not error_traces(output)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_given_http_status_401_when_read_then_config_error_and_no_retry(case, zendesk):
    zendesk.expect(case.first_request(START), ZendeskResponse.unauthorized())

    output = read(api_token_config(), [case.name], expect_failure=True)

    traces = [t for t in error_traces(output) if t.stream_descriptor and t.stream_descriptor.name == case.name]
    assert traces and traces[0].failure_type == FailureType.config_error
    assert traces[0].message == CREDENTIALS_REJECTED
    assert records_of(output, case.name) == []


@pytest.mark.parametrize("case", CASES, ids=str)
def test_given_http_status_403_when_read_then_stream_skipped_with_a_warning_and_others_sync(case, zendesk):
    # users, or groups for the streams reading the user export: neither shares pages with the stream under test
    users, groups = (next(c for c in CASES if c.name == name) for name in ("users", "groups"))
    other = groups if case.family == users.family else users
    zendesk.expect(case.first_request(START), ZendeskResponse.forbidden())
    _expect(zendesk, other, START, _ordered(other, [[(7, START + DAY)]]))

    output = read(api_token_config(), [case.name, other.name])

    assert records_of(output, case.name) == []
    assert len(records_of(output, other.name)) == 1
    assert not error_traces(output)
    skipped = [w for w in warnings(output) if f"Skipping stream '{case.name}'" in w]
    assert skipped and "403" in skipped[0] and "plan" in skipped[0]


def _pk(case: StreamCase, data: dict):
    return data[case.key]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_given_zendesk_shaped_records_when_read_then_they_validate_against_the_streams_schema(case, zendesk):
    _expect(zendesk, case, START, _ordered(case, [[(1, START + DAY), (2, START + 2 * DAY)]]))

    output = read(api_token_config(), [case.name])

    schema = ResourceSchemaLoader("source_zendesk_support").get_schema(case.name)
    records = records_of(output, case.name)
    assert records
    for data in records:
        assert list(Draft7Validator(schema).iter_errors(data)) == []


GATED = [case for case in CASES if case.stream.requires]


@pytest.mark.parametrize("status", [403, 404])
@pytest.mark.parametrize("case", GATED, ids=str)
def test_given_a_stream_the_plan_lacks_when_zendesk_refuses_it_then_one_warning_names_what_it_needs(
    case, status, zendesk
):
    users = next(c for c in CASES if c.name == "users")
    refusal = ZendeskResponse.forbidden() if status == 403 else ZendeskResponse.error(404, "error_not_found")
    zendesk.expect(case.first_request(START), refusal)
    _expect(zendesk, users, START, [[(7, START + DAY)]])

    output = read(api_token_config(), [case.name, users.name])

    assert records_of(output, case.name) == [] and len(records_of(output, users.name)) == 1
    assert not error_traces(output)
    skipped = [w for w in warnings(output) if f"Skipping stream '{case.name}'" in w]
    assert len(skipped) == 1 and str(status) in skipped[0] and case.stream.requires in skipped[0]
