"""What is particular to the streams Fivetran's dbt_zendesk reads beyond the catalog (notes/analytics-sources.md):
schedule_holidays asked per schedule with the schedule's id on each holiday, ticket_schedules made of the schedule
changes in the ticket event export, ticket_sla_policies made of the apply_sla ticket metric events; each read from
pages other streams already request when synced with them. The behaviours every stream has (one page, 429, 401,
403...) come from stream_cases.py."""

from __future__ import annotations

from airbyte_cdk.models import SyncMode

from .harness import DAY, START, api_token_config, error_traces, read, records_of, states_of, warnings
from .stream_cases import BY_NAME
from .zendesk_http import ZendeskMock, ZendeskRequest, ZendeskResponse, iso, template

FULL = SyncMode.full_refresh
SCHEDULES = ZendeskRequest("business_hours/schedules.json", ())


def _holidays(schedule: int) -> ZendeskRequest:
    return ZendeskRequest(f"business_hours/schedules/{schedule}/holidays.json", ())


def _expect_schedules(zendesk: ZendeskMock, *ids: int) -> None:
    schedule = template("schedules")["schedules"][0]
    zendesk.expect(SCHEDULES, ZendeskResponse.ok({"schedules": [{**schedule, "id": n} for n in ids]}))


def _holiday(number: int, day: str) -> dict:
    return {"id": number, "name": f"Holiday {number}", "start_date": day, "end_date": day}


def _emitted(records: list[dict]) -> list[dict]:
    """Records as they reach the destination: the CDK's message serializer leaves out a record's null fields."""
    return [{name: value for name, value in record.items() if value is not None} for record in records]


# -- schedule_holidays ---------------------------------------------------------------------------------------------
def test_given_two_schedules_when_read_then_each_is_asked_once_and_its_holidays_carry_its_id(zendesk):
    _expect_schedules(zendesk, 11, 12)
    two = [_holiday(1, "2024-12-25"), _holiday(2, "2025-01-01")]
    zendesk.expect(_holidays(11), ZendeskResponse.ok({"holidays": two}))
    zendesk.expect(_holidays(12), ZendeskResponse.ok({"holidays": [_holiday(3, "2024-10-03")]}))

    output = read(api_token_config(), {"schedule_holidays": FULL})

    assert [(r["id"], r["schedule_id"], r["start_date"]) for r in records_of(output, "schedule_holidays")] == [
        (1, 11, "2024-12-25"), (2, 11, "2025-01-01"), (3, 12, "2024-10-03")]
    assert len(zendesk.history) == 3
    infos = [m.log.message for m in output.logs]
    assert "schedule_holidays: 2 per-schedule requests for 2 schedules" in infos
    assert not error_traces(output) and not [w for w in warnings(output) if "schedule" in w]


def test_given_schedules_and_their_holidays_in_full_refresh_when_read_then_the_schedules_are_listed_once(zendesk):
    _expect_schedules(zendesk, 11)
    zendesk.expect(_holidays(11), ZendeskResponse.ok({"holidays": [_holiday(1, "2024-12-25")]}))

    output = read(api_token_config(), {"schedules": FULL, "schedule_holidays": FULL})

    assert [r["id"] for r in records_of(output, "schedules")] == [11]
    assert [r["schedule_id"] for r in records_of(output, "schedule_holidays")] == [11]
    assert len(zendesk.history) == 2  # the list once, then the one schedule's holidays


def test_given_schedules_incremental_and_their_holidays_in_full_refresh_then_the_holidays_take_the_whole_list(zendesk):
    # schedules has no time filter: an incremental read asks for the whole list too, so the holidays follow it, and
    # get every schedule even when schedules itself emits none (nothing changed since its state).
    _expect_schedules(zendesk, 11)
    zendesk.expect(_holidays(11), ZendeskResponse.ok({"holidays": [_holiday(1, "2024-12-25")]}))

    output = read(api_token_config(), {"schedules": SyncMode.incremental, "schedule_holidays": FULL},
                  state={"schedules": {"updated_at": "2025-06-01T00:00:00Z"}})

    assert records_of(output, "schedules") == []
    assert [r["schedule_id"] for r in records_of(output, "schedule_holidays")] == [11]
    assert len(zendesk.history) == 2


def test_given_schedules_resuming_a_walk_then_the_holidays_list_the_schedules_themselves(zendesk):
    # A walk resumed halfway would not show the list's first pages: the holidays read the whole list on their own.
    resumed = "https://acme.zendesk.com/api/v2/business_hours/schedules.json?page=2"
    zendesk.expect(ZendeskRequest("business_hours/schedules.json", (("page", "2"),)),
                   ZendeskResponse.ok({"schedules": []}))
    _expect_schedules(zendesk, 11)
    zendesk.expect(_holidays(11), ZendeskResponse.ok({"holidays": [_holiday(1, "2024-12-25")]}))

    output = read(api_token_config(), {"schedules": SyncMode.incremental, "schedule_holidays": FULL},
                  state={"schedules": {"updated_at": "2024-01-01T00:00:00Z",
                                       "_walk": {"high_water": "2024-01-01T00:00:00Z", "next_url": resumed}}})

    assert [r["schedule_id"] for r in records_of(output, "schedule_holidays")] == [11]
    assert len(zendesk.history) == 3


def test_given_a_schedule_deleted_during_the_sync_when_read_then_it_alone_is_skipped(zendesk):
    # The schedules list answering proves the account has schedules: a 404 for one means it went away since.
    _expect_schedules(zendesk, 11, 12, 13)
    zendesk.expect(_holidays(11), ZendeskResponse.error(404, "error_record_not_found"))
    zendesk.expect(_holidays(12), ZendeskResponse.ok({"holidays": [_holiday(3, "2024-10-03")]}))
    zendesk.expect(_holidays(13), ZendeskResponse.ok({"holidays": []}))

    output = read(api_token_config(), {"schedule_holidays": FULL})

    assert [r["id"] for r in records_of(output, "schedule_holidays")] == [3]
    skipped = [w for w in warnings(output) if "/schedules/11/holidays.json" in w]
    assert len(skipped) == 1 and "HTTP 404" in skipped[0]
    assert not any("Skipping stream" in w for w in warnings(output)) and not error_traces(output)


# -- ticket_schedules ----------------------------------------------------------------------------------------------
def _ticket_event(event_id: int, at: int, children: list[dict]) -> dict:
    return {"id": event_id, "ticket_id": 7, "timestamp": at, "created_at": iso(at), "updater_id": -1, "via": "Rule",
            "event_type": "Audit", "child_events": children}  # fmt: skip


def _rule_child(child_id: int, kind: str, **fields) -> dict:
    return {"id": child_id, "via": "Rule", "via_reference_id": 900, **fields, "event_type": kind}


def _events_page(events: list[dict], end_time: int) -> dict:
    body = template("ticket_events")
    body.update(ticket_events=events, count=len(events), end_time=end_time, end_of_stream=True, next_page=None)
    return body


def _event_export(query: tuple[tuple[str, str], ...] = ()) -> ZendeskRequest:
    return ZendeskRequest("incremental/ticket_events.json", (("start_time", str(START)), *query))


def test_given_schedule_changes_among_other_changes_when_read_then_one_record_per_schedule_set(zendesk):
    created = _ticket_event(1, START + DAY, [_rule_child(11, "Create", status="new"),
                                             _rule_child(12, "Create", schedule_id="360000123")])
    changed = _ticket_event(2, START + 2 * DAY, [_rule_child(21, "Change", priority="high", previous_value="low"),
                                                 _rule_child(22, "Change", schedule_id="360000456",
                                                             previous_value="360000123")])
    cleared = _ticket_event(3, START + 3 * DAY, [_rule_child(31, "Change", schedule_id=None, previous_value=360000456)])
    zendesk.expect(_event_export(), ZendeskResponse.ok(_events_page([created, changed, cleared], START + 3 * DAY)))

    output = read(api_token_config(), ["ticket_schedules"])

    assert records_of(output, "ticket_schedules") == _emitted([
        {"id": 12, "ticket_id": 7, "schedule_id": 360000123, "previous_schedule_id": None, "created_at": iso(START + DAY),
         "updater_id": -1, "via_reference_id": 900, "event_type": "Create", "parent_event_id": 1},
        {"id": 22, "ticket_id": 7, "schedule_id": 360000456, "previous_schedule_id": 360000123,
         "created_at": iso(START + 2 * DAY), "updater_id": -1, "via_reference_id": 900, "event_type": "Change",
         "parent_event_id": 2},
        {"id": 31, "ticket_id": 7, "schedule_id": None, "previous_schedule_id": 360000456,
         "created_at": iso(START + 3 * DAY), "updater_id": -1, "via_reference_id": 900, "event_type": "Change",
         "parent_event_id": 3},
    ])  # fmt: skip
    assert states_of(output, "ticket_schedules") == [{"timestamp": START + 3 * DAY}]


def test_given_ticket_schedules_with_the_event_streams_when_read_then_one_request_serves_them_all(zendesk):
    pages = [[(1, START + DAY)], [(2, START + 2 * DAY)]]
    for request, body in BY_NAME["ticket_events"].script(START, pages):
        zendesk.expect(request, ZendeskResponse.ok(body))

    output = read(api_token_config(), ["ticket_events", "ticket_field_history", "ticket_schedules"])

    assert len(zendesk.history) == len(pages)
    # The ticket_events fixture sets no schedule: no schedule record, the position moves all the same.
    assert records_of(output, "ticket_schedules") == []
    assert states_of(output, "ticket_schedules") == [{"timestamp": START + DAY}, {"timestamp": START + 2 * DAY}]


def test_given_a_schedule_that_is_not_an_id_when_read_then_the_stream_fails_saying_so(zendesk):
    odd = _ticket_event(5, START + DAY, [_rule_child(51, "Change", schedule_id="Berlin office")])
    zendesk.expect(_event_export(), ZendeskResponse.ok(_events_page([odd], START + DAY)))

    output = read(api_token_config(), ["ticket_schedules"], expect_failure=True)

    (trace,) = [trace for trace in error_traces(output) if trace.stream_descriptor]
    assert trace.message == ("Zendesk sent a page of 'ticket_schedules' that cannot be read: ticket event 5 sets a "
                             "schedule that is not an id ('Berlin office')")
    assert records_of(output, "ticket_schedules") == []


# -- ticket_sla_policies -------------------------------------------------------------------------------------------
def _metric_event(event_id: int, metric: str, kind: str, **fields) -> dict:
    return {"id": event_id, "ticket_id": 155, "metric": metric, "instance_id": 1, "type": kind,
            "time": iso(START + DAY), **fields}  # fmt: skip


def _sla(target: int, business_hours: bool) -> dict:
    return {"target": target, "business_hours": business_hours,
            "policy": {"id": 360001, "title": "Standard", "description": "Every ticket with a priority"}}


def _expect_metric_events(zendesk: ZendeskMock, events: list[dict]) -> None:
    ((request, body),) = BY_NAME["ticket_metric_events"].script(START, [[(1, START + DAY)]])
    body.update(ticket_metric_events=events, count=len(events))
    zendesk.expect(request, ZendeskResponse.ok(body))


def test_given_metric_events_when_read_with_them_then_each_apply_sla_is_one_record_from_the_same_request(zendesk):
    group_sla = {"target": 120, "business_hours": True, "policy": {"id": "01H0", "title": "Tier 1", "description": ""}}
    events = [
        _metric_event(1, "reply_time", "activate"),
        _metric_event(2, "reply_time", "apply_sla", sla=_sla(60, False)),
        _metric_event(3, "requester_wait_time", "apply_sla", sla={**_sla(1440, True), "target_in_seconds": 86400}),
        _metric_event(4, "reply_time", "apply_group_sla", group_sla=group_sla),
        _metric_event(5, "reply_time", "breach"),
    ]
    _expect_metric_events(zendesk, events)

    output = read(api_token_config(), ["ticket_metric_events", "ticket_sla_policies"])

    assert len(zendesk.history) == 1
    assert len(records_of(output, "ticket_metric_events")) == 5
    assert records_of(output, "ticket_sla_policies") == _emitted([
        {"id": 2, "ticket_id": 155, "metric": "reply_time", "instance_id": 1, "time": iso(START + DAY),
         "sla_policy_id": 360001, "sla_policy_title": "Standard", "target": 60, "target_in_seconds": None,
         "business_hours": False},
        {"id": 3, "ticket_id": 155, "metric": "requester_wait_time", "instance_id": 1, "time": iso(START + DAY),
         "sla_policy_id": 360001, "sla_policy_title": "Standard", "target": 1440, "target_in_seconds": 86400,
         "business_hours": True},
    ])  # fmt: skip
    assert states_of(output, "ticket_sla_policies") == states_of(output, "ticket_metric_events")


def test_given_an_apply_sla_without_its_sla_when_read_then_the_stream_fails_saying_so(zendesk):
    _expect_metric_events(zendesk, [_metric_event(9, "reply_time", "apply_sla")])

    output = read(api_token_config(), ["ticket_sla_policies"], expect_failure=True)

    (trace,) = [trace for trace in error_traces(output) if trace.stream_descriptor]
    assert trace.message.endswith("apply_sla ticket metric event 9 has no 'sla' object")
