"""What is particular to the streams of the ticket event export (ticket_events, ticket_comments,
ticket_field_history) and to user_identities: one request per page for all that are synced together, the field
history a page makes, comments as the official connector emits them, boundary seconds read twice but emitted once,
and child events of any shape emitted or refused with a clear message, never a crash."""

from __future__ import annotations

import pytest
from airbyte_cdk.sources.utils.schema_helpers import ResourceSchemaLoader
from jsonschema import Draft7Validator

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of
from .stream_cases import BY_NAME, CHILD_ID_STRIDE
from .zendesk_http import ZendeskRequest, ZendeskResponse, iso, template

EVENT_STREAMS = ["ticket_events", "ticket_comments", "ticket_field_history"]
PAGES = [[(1, START + DAY), (2, START + 2 * DAY)], [(3, START + 3 * DAY)]]
EXPORT = "incremental/ticket_events.json"
COMMENTS = (("include", "comment_events"),)


def _export(start_time: int, query: tuple[tuple[str, str], ...] = COMMENTS) -> ZendeskRequest:
    return ZendeskRequest(EXPORT, (("start_time", str(start_time)), *query))


def _page(events: list[dict], end_time: int, following: ZendeskRequest | None = None) -> dict:
    body = template("ticket_events")
    body.update(ticket_events=events, count=len(events), end_time=end_time, end_of_stream=following is None,
                next_page=following.url if following else None)  # fmt: skip
    return body


def _event(event_id: int, at: int, children: list[dict], **fields) -> dict:
    return {"id": event_id, "ticket_id": 7, "timestamp": at, "created_at": iso(at), "updater_id": 42, "via": "Web form",
            "event_type": "Audit", "child_events": children, **fields}  # fmt: skip


def _child(child_id: int, kind: str, **fields) -> dict:
    return {"id": child_id, "via": "Web form", "via_reference_id": None, **fields, "event_type": kind}


def _valid(stream: str, records: list[dict]) -> bool:
    validator = Draft7Validator(ResourceSchemaLoader("source_zendesk_support").get_schema(stream))
    return all(not list(validator.iter_errors(record)) for record in records)


# -- sharing -------------------------------------------------------------------------------------------------------
def test_given_the_three_event_streams_from_start_when_read_then_each_page_is_requested_once_for_all(zendesk):
    script = BY_NAME["ticket_events"].script(START, PAGES)
    for request, body in script:
        zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), EVENT_STREAMS)

    assert len(zendesk.history) == len(PAGES)  # not three times as many: one request serves the three streams
    assert [r["id"] for r in records_of(output, "ticket_events")] == [1, 2, 3]
    # The fixture's event holds a comment (its first child) and sets subject, status and tags on creation.
    assert [(r["id"], r["ticket_id"], r["timestamp"]) for r in records_of(output, "ticket_comments")] == [
        (n * CHILD_ID_STRIDE, 35436, START + n * DAY) for n in (1, 2, 3)
    ]
    assert [r["id"] for r in records_of(output, "ticket_field_history")] == [
        f"{n * CHILD_ID_STRIDE + k}:{field}" for n in (1, 2, 3) for k, field in ((1, "subject"), (2, "status"), (3, "tags"))
    ]
    for stream in EVENT_STREAMS:
        assert states_of(output, stream) == [{"timestamp": START + 2 * DAY}, {"timestamp": START + 3 * DAY}]
    assert not error_traces(output)


def test_given_comments_and_field_history_without_ticket_events_then_they_still_share_the_export(zendesk):
    for request, body in BY_NAME["ticket_comments"].script(START, PAGES):
        zendesk.expect(request, ZendeskResponse.ok(body))  # the sideload the comments need, asked once for both

    output = read(api_token_config(), ["ticket_comments", "ticket_field_history"])

    assert len(zendesk.history) == len(PAGES)
    assert len(records_of(output, "ticket_comments")) == 3 and len(records_of(output, "ticket_field_history")) == 3


def test_given_the_field_history_alone_then_it_asks_for_no_comments(zendesk):
    (request, body), = BY_NAME["ticket_field_history"].script(START, [[(1, START + DAY)]])
    assert dict(request.query) == {"start_time": str(START)}
    zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), ["ticket_field_history"])

    assert len(records_of(output, "ticket_field_history")) == 3


def test_given_a_newer_saved_state_for_comments_when_read_then_each_stream_reads_its_own_export(zendesk):
    saved = START + 2 * DAY
    for request, body in BY_NAME["ticket_events"].script(START, PAGES):
        zendesk.expect(request, ZendeskResponse.ok(body))
    for request, body in BY_NAME["ticket_comments"].script(saved, [[(3, START + 3 * DAY)]]):
        zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), ["ticket_events", "ticket_comments"],
                  state={"ticket_comments": {"timestamp": saved}})  # fmt: skip

    assert len(records_of(output, "ticket_events")) == 3
    assert [r["id"] for r in records_of(output, "ticket_comments")] == [3 * CHILD_ID_STRIDE]


def test_given_users_and_identities_from_start_when_read_then_the_user_export_is_requested_once_for_both(zendesk):
    for request, body in BY_NAME["user_identities"].script(START, PAGES):
        zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), ["users", "user_identities"])

    assert len(zendesk.history) == len(PAGES)
    assert [r["id"] for r in records_of(output, "users")] == [1, 2, 3]
    assert [r["id"] for r in records_of(output, "user_identities")] == [10_001, 10_002, 10_003]
    for stream in ("users", "user_identities"):
        assert states_of(output, stream)[-1]["updated_at"] == iso(START + 3 * DAY)


# -- what the pages become -----------------------------------------------------------------------------------------
CREATED = _event(500, START + DAY, [
    _child(501, "Comment", comment_present=True, comment_public=False),
    _child(502, "Create", subject="Printer on fire"),
    _child(503, "Create", status="new"),
    _child(504, "Create", tags=["printer"], added_tags=["printer"], removed_tags=[]),
    _child(505, "Create", custom_ticket_fields={"360001": "product_billing", "360002": ["a", "b"]}),
    _child(506, "Create", requester_id="235323"),
])  # fmt: skip
UPDATED = _event(600, START + 2 * DAY, [
    _child(601, "Change", priority="high", previous_value="normal"),
    _child(602, "Change", tags=["printer", "urgent"], added_tags=["urgent"], removed_tags=[], previous_value=["printer"]),
    _child(603, "Change", custom_ticket_fields={"360003": True}, previous_value=False),
    _child(604, "Notification", subject="Updated", body="Your request was updated", recipients=[42]),
], updater_id=-1)  # fmt: skip


def _emitted(record: dict) -> dict:
    """A record as it reaches the destination: the CDK's message serializer leaves out a record's null fields."""
    return {name: value for name, value in record.items() if value is not None}


def _history(child_id: int, field: str | None, value, previous, event: dict, kind: str) -> dict:
    return _emitted({"id": f"{child_id}:{field or ''}", "ticket_id": 7, "field_name": field, "value": value,
                     "previous_value": previous, "updated": iso(event["timestamp"]), "user_id": event["updater_id"],
                     "event_type": kind, "event_id": child_id, "parent_event_id": event["id"]})  # fmt: skip


def test_given_a_creation_and_an_update_when_read_then_one_history_record_per_field_set(zendesk):
    zendesk.expect(_export(START, ()), ZendeskResponse.ok(_page([CREATED, UPDATED], START + 2 * DAY)))

    output = read(api_token_config(), ["ticket_field_history"])

    assert records_of(output, "ticket_field_history") == [
        _history(502, "subject", "Printer on fire", None, CREATED, "Create"),
        _history(503, "status", "new", None, CREATED, "Create"),
        _history(504, "tags", ["printer"], None, CREATED, "Create"),
        _history(505, "360001", "product_billing", None, CREATED, "Create"),
        _history(505, "360002", ["a", "b"], None, CREATED, "Create"),
        _history(506, "requester_id", "235323", None, CREATED, "Create"),
        _history(601, "priority", "high", "normal", UPDATED, "Change"),
        _history(602, "tags", ["printer", "urgent"], ["printer"], UPDATED, "Change"),
        _history(603, "360003", True, False, UPDATED, "Change"),
    ]
    assert _valid("ticket_field_history", records_of(output, "ticket_field_history"))
    assert states_of(output, "ticket_field_history")[-1] == {"timestamp": START + 2 * DAY}


def test_given_comment_events_when_read_then_each_carries_its_updates_ticket_time_and_reference(zendesk):
    comment = {"type": "Comment", "author_id": 42, "body": "Hi", "html_body": "<p>Hi</p>", "plain_body": "Hi",
               "public": True, "attachments": [], "audit_id": 700, "created_at": iso(START + DAY)}  # fmt: skip
    web = {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}}
    events = [
        _event(700, START + DAY, [_child(701, "Comment", **comment, via_reference_id=5) | {"via": web}]),
        _event(800, START + DAY, [_child(801, "Comment", **comment) | {"via": "Web form"},
                                  _child(802, "Change", status="open", previous_value="new")],
               via_reference_id=360000000201),
    ]  # fmt: skip
    zendesk.expect(_export(START), ZendeskResponse.ok(_page(events, START + DAY)))

    output = read(api_token_config(), ["ticket_comments"])

    comments = records_of(output, "ticket_comments")
    assert [(c["id"], c["ticket_id"], c["timestamp"], c.get("via"), c["via_reference_id"]) for c in comments] == [
        (701, 7, START + DAY, web, 5),  # the update names no rule: the comment's own reference stays
        (801, 7, START + DAY, None, 360000000201),  # a display name is not a via object: null, as the official's
    ]
    assert comments[0]["body"] == "Hi" and _valid("ticket_comments", comments)


def test_given_the_boundary_second_read_again_on_the_next_page_then_every_stream_emits_its_records_once(zendesk):
    at, later = START + DAY, START + DAY + 5
    first = _event(1, at, [_child(11, "Create", status="new"), _child(12, "Comment", body="a", public=True)])
    second = _event(2, later, [_child(21, "Change", status="open", previous_value="new")])
    zendesk.expect(_export(START), ZendeskResponse.ok(_page([first], at, _export(at))))
    zendesk.expect(_export(at), ZendeskResponse.ok(_page([first, second], later)))  # start_time is inclusive

    output = read(api_token_config(), EVENT_STREAMS)

    assert [r["id"] for r in records_of(output, "ticket_events")] == [1, 2]
    assert [r["id"] for r in records_of(output, "ticket_comments")] == [12]
    assert [r["id"] for r in records_of(output, "ticket_field_history")] == ["11:status", "21:status"]
    assert len(zendesk.history) == 2


# -- hostile child events --------------------------------------------------------------------------------------------
ODD_BUT_READABLE = {
    "a change naming no field": (_child(9, "Change", previous_value="x"), (None, None, "x")),
    "a field nobody knows": (_child(9, "Change", satisfaction_probability=0.93, previous_value=0.5),
                             ("satisfaction_probability", 0.93, 0.5)),
    "a value of an unexpected shape": (_child(9, "Change", status={"weird": [1]}, previous_value=3),
                                       ("status", {"weird": [1]}, 3)),
    "custom fields that are not an object": (_child(9, "Create", custom_ticket_fields=["a"]),
                                             ("custom_ticket_fields", ["a"], None)),
    "the audits' field_name and value": (_child(9, "Change", field_name="group_id", value="12", previous_value=None),
                                         ("group_id", "12", None)),
}  # fmt: skip


@pytest.mark.parametrize("child, expected", ODD_BUT_READABLE.values(), ids=ODD_BUT_READABLE.keys())
def test_given_an_odd_field_change_when_read_then_it_is_emitted_as_it_came(child, expected, zendesk):
    zendesk.expect(_export(START, ()), ZendeskResponse.ok(_page([_event(5, START + DAY, [child])], START + DAY)))

    output = read(api_token_config(), ["ticket_field_history"])

    (record,) = records_of(output, "ticket_field_history")
    assert (record.get("field_name"), record.get("value"), record.get("previous_value")) == expected
    assert record["id"] == f"9:{expected[0] or ''}" and record["event_id"] == 9
    assert not error_traces(output)


UNREADABLE = {
    "child_events not a list": ({"id": 11}, "ticket event 5 has a 'child_events' that is not a list of objects"),
    "a child that is not an object": (["status"], "ticket event 5 has a 'child_events' that is not a list of objects"),
    "child_events null": (None, "ticket event 5 has a 'child_events' that is not a list of objects"),
}


@pytest.mark.parametrize("stream", ["ticket_comments", "ticket_field_history"])
@pytest.mark.parametrize("children, problem", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_given_child_events_of_the_wrong_shape_when_read_then_the_stream_fails_saying_so(stream, children, problem,
                                                                                      zendesk):
    good = _event(4, START + DAY, [_child(41, "Comment", body="a"), _child(42, "Create", status="new")])
    query = tuple(BY_NAME[stream].stream.params.items())  # the comments' sideload, or nothing
    first, following = _export(START, query), _export(START + DAY, query)
    zendesk.expect(first, ZendeskResponse.ok(_page([good], START + DAY, following)))
    zendesk.expect(following, ZendeskResponse.ok(_page([_event(5, START + 2 * DAY, children)], START + 2 * DAY)))

    output = read(api_token_config(), [stream], expect_failure=True)

    assert len(records_of(output, stream)) == 1  # the page before is emitted and checkpointed
    assert states_of(output, stream) == [{"timestamp": START + DAY}]
    (trace,) = [trace for trace in error_traces(output) if trace.stream_descriptor]  # then the sync's summary
    assert trace.message == f"Zendesk sent a page of '{stream}' that cannot be read: {problem}"


def test_given_a_field_change_without_an_id_when_read_then_the_history_fails_saying_so(zendesk):
    child = {"via": "Web form", "status": "open", "event_type": "Change"}
    zendesk.expect(_export(START, ()), ZendeskResponse.ok(_page([_event(5, START + DAY, [child])], START + DAY)))

    output = read(api_token_config(), ["ticket_field_history"], expect_failure=True)

    (trace,) = [trace for trace in error_traces(output) if trace.stream_descriptor]  # then the sync's summary
    assert trace.message.endswith("a Change child event of ticket event 5 has no id")
    assert records_of(output, "ticket_field_history") == []
