"""Incoming state: the official connector's shapes are accepted, anything unusable is a clear config error."""

from __future__ import annotations

import pytest
from airbyte_cdk.models import FailureType

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskRequest, ZendeskResponse, iso

SAVED = START + 10 * DAY

OFFICIAL_SHAPES = [
    ("tickets", {"generated_timestamp": str(SAVED)}),
    ("tickets", {"generated_timestamp": SAVED}),
    ("users", {"updated_at": str(SAVED)}),
    ("users", {"updated_at": iso(SAVED)}),
    ("organizations", {"updated_at": str(SAVED)}),
    ("organizations", {"updated_at": iso(SAVED)}),
    ("ticket_metrics", {"_ab_updated_at": SAVED}),
    ("ticket_metrics", {"_ab_updated_at": str(SAVED)}),
    ("ticket_metrics", {"states": [], "parent_state": {"tickets": {"generated_timestamp": str(SAVED)}},
                        "state": {"_ab_updated_at": str(SAVED - DAY)}}),
    ("ticket_metrics", {"generated_timestamp": SAVED}),
    ("tickets", {"state": {"generated_timestamp": str(SAVED)}}),
    ("ticket_events", {"timestamp": str(SAVED)}),
    ("ticket_comments", {"created_at": str(SAVED)}),
    ("ticket_comments", {"created_at": iso(SAVED)}),
    ("ticket_comments", {"state": {"created_at": str(SAVED)}}),
    ("ticket_metric_events", {"time": str(SAVED)}),
    ("ticket_metric_events", {"time": iso(SAVED)}),
    ("user_identities", {"updated_at": str(SAVED)}),
]  # fmt: skip


@pytest.mark.parametrize("stream, state", OFFICIAL_SHAPES)
def test_given_the_official_connectors_state_when_read_then_the_export_starts_there(stream, state, zendesk):
    case = BY_NAME[stream]
    ((request, body),) = case.script(SAVED, [[(1, SAVED + 60)]])
    zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), [stream], state={stream: state})

    assert not error_traces(output)
    assert len(records_of(output, stream)) == 1
    assert states_of(output, stream)[-1] == case.state(SAVED + 60)


# deleted_tickets: the official 5.x `{"updated_at": ...}` is when its last record was deleted (ours: `deleted_at`).
@pytest.mark.parametrize("stream", ["groups", "macros", "ticket_fields", "deleted_tickets", "views"])
@pytest.mark.parametrize("saved", [iso(SAVED), str(SAVED), SAVED, "2024-01-11T00:00:00+00:00"])
def test_given_the_official_connectors_list_state_when_read_then_older_records_are_filtered(stream, saved, zendesk):
    case = BY_NAME[stream]
    ((request, body),) = case.script(SAVED, [[(1, SAVED - 60), (2, SAVED + 60)]])
    zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), [stream], state={stream: {"updated_at": saved}})

    assert [r["id"] for r in records_of(output, stream)] == [2]


def test_given_the_official_connectors_audit_state_when_read_then_the_walk_stops_at_it(zendesk):
    case = BY_NAME["ticket_audits"]
    ((request, body),) = case.script(SAVED, [[(2, SAVED + 60), (1, SAVED - 60)]])
    zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), ["ticket_audits"], state={"ticket_audits": {"created_at": iso(SAVED)}})

    assert [r["id"] for r in records_of(output, "ticket_audits")] == [2]
    assert states_of(output, "ticket_audits")[-1] == {"created_at": iso(SAVED + 60)}


MALFORMED = [
    ("tickets", {"generated_timestamp": "yesterday"}),
    ("tickets", {"generated_timestamp": -5}),
    ("tickets", {"generated_timestamp": True}),
    ("tickets", {"cursor": "abc"}),
    ("users", {"updated_at": "2024-13-45T00:00:00Z"}),
    ("groups", {"updated_at": None}),
    ("ticket_audits", {"created_at": iso(SAVED), "_walk": {"high_water": iso(SAVED)}}),
    ("ticket_audits", {"created_at": iso(SAVED), "_walk": "somewhere"}),
    (
        "ticket_audits",
        {
            "created_at": iso(SAVED),
            "_walk": {"high_water": iso(SAVED), "before_url": "https://evil.example.com/ticket_audits.json"},
        },
    ),
    ("ticket_metrics", {"_ab_updated_at": "later"}),
]


@pytest.mark.parametrize("stream, state", MALFORMED)
def test_given_malformed_state_when_read_then_config_error_naming_the_stream_and_no_silent_resync(
    stream, state, zendesk
):
    output = read(api_token_config(), [stream], state={stream: state}, expect_failure=True)

    traces = error_traces(output)
    assert traces and traces[0].failure_type == FailureType.config_error
    assert f"The saved state of stream '{stream}' cannot be used" in traces[0].message
    assert "Reset this stream" in traces[0].message
    assert records_of(output, stream) == []


def test_given_a_recent_state_when_read_then_start_time_is_held_five_minutes_back(zendesk):
    from .harness import NOW_TS

    recent = NOW_TS - 60
    zendesk.expect(
        ZendeskRequest.ticket_export(NOW_TS - 300),
        ZendeskResponse.ok(BY_NAME["tickets"].script(0, [[(1, NOW_TS - 200)]])[0][1]),
    )

    output = read(api_token_config(), ["tickets"], state={"tickets": {"generated_timestamp": recent}})

    # The re-read ticket is older than the saved position: the state never moves back.
    assert states_of(output, "tickets")[-1] == {"generated_timestamp": recent}
