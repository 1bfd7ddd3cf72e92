"""Custom fields as typed columns (issue 18): discover reads the three field lists and adds one typed column per active
custom field to tickets, users and organizations; read fills them from the configured catalog, without a request."""

from __future__ import annotations

from typing import Any

import pytest
from airbyte_cdk.models import (
    AirbyteStream,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    SyncMode,
)
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover
from airbyte_cdk.test.entrypoint_wrapper import read as entrypoint_read

from source_zendesk_support import SourceZendeskSupport
from source_zendesk_support.custom_fields import values
from source_zendesk_support.custom_fields.columns import BY_STREAM, FIELD_ID, FIELD_KEY, columns

from .harness import START, api_token_config
from .zendesk_http import (
    ZendeskMock,
    ZendeskRequest,
    ZendeskResponse,
    connection_error,
    export_page,
    list_page,
    record,
    time_export_page,
)

LISTS = ("ticket_fields", "user_fields", "organization_fields")
# One custom ticket field of every type: (id, type, title, the column's JSON type, its format).
TICKET_TYPES = [
    (101, "text", "Order number", "string", None),
    (102, "textarea", "Steps to reproduce", "string", None),
    (103, "regexp", "Invoice code", "string", None),
    (104, "partialcreditcard", "Card on file", "string", None),
    (105, "integer", "Units affected", "integer", None),
    (106, "decimal", "Order value", "number", None),
    (107, "checkbox", "Refund issued", "boolean", None),
    (108, "date", "Purchase date", "string", "date"),
    (109, "tagger", "Product", "string", None),
    (110, "multiselect", "Affected areas", "array", None),
    (111, "lookup", "Account owner", "integer", None),
]
USER_TYPES = [  # (id, key, type, the column's JSON type)
    (201, "plan", "dropdown", "string"), (202, "employee_count", "integer", "integer"), (203, "vip", "checkbox", "boolean"),
    (204, "renewal_date", "date", "string"), (205, "nickname", "text", "string"), (206, "bio", "textarea", "string"),
    (207, "code", "regexp", "string"), (208, "ltv", "decimal", "number"), (209, "interests", "multiselect", "array"),
    (210, "manager", "lookup", "integer"),
]  # fmt: skip


def _ticket_field(field_id: int, kind: str, title: str, **more: Any) -> dict:
    return record("ticket_fields", "ticket_fields", id=field_id, type=kind, title=title, raw_title=title, **more)


def _person_field(resource: str, field_id: int, key: str, kind: str, **more: Any) -> dict:
    title = key.replace("_", " ").capitalize()
    return record(resource, resource, id=field_id, key=key, type=kind, title=title, raw_title=title, **more)


def _account_fields() -> dict[str, list[dict]]:
    ticket = [_ticket_field(1, "subject", "Subject", removable=False), _ticket_field(2, "status", "Status"),
              _ticket_field(3, "tickettype", "Type"), *(_ticket_field(i, k, t) for i, k, t, _, _ in TICKET_TYPES),
              _ticket_field(112, "text", "Retired", active=False),
              _ticket_field(113, "lookup", "Asset", relationship_target_type="zen:custom_object:asset")]
    user = [*(_person_field("user_fields", i, key, kind) for i, key, kind, _ in USER_TYPES),
            _person_field("user_fields", 211, "system::embeddable_last_seen", "date", system=True),
            _person_field("user_fields", 212, "old_code", "text", active=False)]
    organization = [_person_field("organization_fields", 301, "region", "dropdown"),
                    _person_field("organization_fields", 302, "seats", "integer")]
    return {"ticket_fields": ticket, "user_fields": user, "organization_fields": organization}


def _expect_lists(zendesk: ZendeskMock, fields: dict[str, list[dict]] | None = None, **responses: ZendeskResponse) -> None:
    fields = fields or _account_fields()
    for resource in LISTS:
        answer = responses.get(resource) or ZendeskResponse.ok(list_page(resource, fields[resource], None))
        zendesk.expect(ZendeskRequest.list(resource), answer)


def _discovered(config: dict | None = None) -> dict[str, AirbyteStream]:
    output = discover(SourceZendeskSupport(), config or api_token_config())
    return {stream.name: stream for stream in output.catalog.catalog.streams}


def _custom(stream: AirbyteStream) -> dict[str, dict]:
    return {name: schema for name, schema in stream.json_schema["properties"].items() if FIELD_ID in schema}


def _static_schemas() -> dict[str, dict]:
    """Today's schemas: the streams' own, as before custom field columns existed."""
    return {stream.name: stream.get_json_schema() for stream in SourceZendeskSupport().streams(api_token_config())}


# -- discover ----------------------------------------------------------------------------------------------------
def test_given_field_lists_when_discover_then_one_typed_column_per_active_custom_field_of_each_stream(zendesk):
    _expect_lists(zendesk)

    streams = _discovered()

    assert len(zendesk.history) == 3  # one request per list
    tickets = _custom(streams["tickets"])
    expected = {f"custom_{kind}_{i}": (i, json_type, fmt, title) for i, kind, title, json_type, fmt in TICKET_TYPES}
    expected["custom_lookup_113"] = (113, "string", None, "Asset")  # a custom object record's id is a string
    assert set(tickets) == set(expected)  # no system field, no inactive one
    for name, (field_id, json_type, fmt, title) in expected.items():
        column = tickets[name]
        assert column["type"] == ["null", json_type] and column.get("format") == fmt, name
        assert column[FIELD_ID] == field_id and type(column[FIELD_ID]) is int
        assert title in column["description"]
    assert tickets["custom_multiselect_110"]["items"] == {"type": "string"}
    users = _custom(streams["users"])
    assert {name: (c[FIELD_ID], c[FIELD_KEY], c["type"][1]) for name, c in users.items()} == {
        f"custom_{key}": (i, key, json_type) for i, key, _, json_type in USER_TYPES}
    assert set(_custom(streams["organizations"])) == {"custom_region", "custom_seats"}
    static = _static_schemas()
    for name in ("tickets", "users", "organizations"):  # the standard columns stay as they are, first
        properties = streams[name].json_schema["properties"]
        assert list(properties)[: len(static[name]["properties"])] == list(static[name]["properties"])
        assert {k: v for k, v in properties.items() if FIELD_ID not in v} == static[name]["properties"]


def test_given_custom_field_columns_off_when_discover_then_schemas_are_todays_exactly_and_no_request(zendesk):
    streams = _discovered(api_token_config(custom_field_columns=False))

    assert zendesk.history == []
    assert {name: stream.json_schema for name, stream in streams.items()} == _static_schemas()


@pytest.mark.parametrize(("response", "reason"), [
    (ZendeskResponse.forbidden(), "403 Forbidden"),
    (ZendeskResponse.error(404, "error_not_found"), "404"),
    (ZendeskResponse.unauthorized(), "rejected the credentials"),
    (ZendeskResponse.failure(connection_error()), "Could not reach acme.zendesk.com (ConnectionError)"),
    (ZendeskResponse.ok({"unexpected": []}), "no 'user_fields' list"),
])  # fmt: skip
def test_given_a_field_list_that_cannot_be_read_when_discover_then_its_stream_keeps_its_schema_and_one_warning(
        zendesk, response, reason):
    _expect_lists(zendesk, user_fields=response)

    output = discover(SourceZendeskSupport(), api_token_config())

    streams = {stream.name: stream for stream in output.catalog.catalog.streams}
    assert streams["users"].json_schema == _static_schemas()["users"]
    assert _custom(streams["tickets"]) and _custom(streams["organizations"])
    said = [m.log.message for m in output.logs if m.log.level.value == "WARN" and "custom field" in m.log.message]
    assert len(said) == 1 and "'users'" in said[0] and reason in said[0], said
    assert len(zendesk.history) == 3  # refused at once, not retried


def test_given_a_server_error_then_the_field_list_is_asked_again_and_its_columns_come(zendesk, sleeps):
    fields = _account_fields()
    zendesk.expect(ZendeskRequest.list("ticket_fields"), ZendeskResponse.server_error(503),
                   ZendeskResponse.ok(list_page("ticket_fields", fields["ticket_fields"], None)))
    for resource in LISTS[1:]:
        zendesk.expect(ZendeskRequest.list(resource), ZendeskResponse.ok(list_page(resource, fields[resource], None)))

    streams = _discovered()

    assert len(_custom(streams["tickets"])) == len(TICKET_TYPES) + 1 and sleeps


def test_given_a_field_list_of_two_pages_when_discover_then_both_pages_give_columns(zendesk):
    fields = _account_fields()
    second = ZendeskRequest.list("ticket_fields", after="page-2")
    zendesk.expect(ZendeskRequest.list("ticket_fields"),
                   ZendeskResponse.ok(list_page("ticket_fields", fields["ticket_fields"][:5], second)))
    zendesk.expect(second, ZendeskResponse.ok(list_page("ticket_fields", fields["ticket_fields"][5:], None)))
    for resource in LISTS[1:]:
        zendesk.expect(ZendeskRequest.list(resource), ZendeskResponse.ok(list_page(resource, fields[resource], None)))

    assert len(_custom(_discovered()["tickets"])) == len(TICKET_TYPES) + 1


def test_given_a_renamed_and_an_added_field_when_discover_again_then_names_stay_and_the_new_one_comes():
    fields = _account_fields()
    with ZendeskMock() as zendesk:
        _expect_lists(zendesk, fields)
        before = _discovered()
    fields["ticket_fields"][3]["title"] = "Order reference"  # field 101
    fields["user_fields"][0]["title"] = "Subscription"  # key plan
    fields["user_fields"].append(_person_field("user_fields", 220, "tier", "integer"))
    fields["ticket_fields"].append(_ticket_field(120, "decimal", "Discount"))
    with ZendeskMock() as zendesk:
        _expect_lists(zendesk, fields)
        after = _discovered()
    tickets, users = _custom(after["tickets"]), _custom(after["users"])
    assert set(tickets) == set(_custom(before["tickets"])) | {"custom_decimal_120"}
    assert set(users) == set(_custom(before["users"])) | {"custom_tier"}
    assert "Order reference" in tickets["custom_text_101"]["description"]
    assert "Subscription" in users["custom_plan"]["description"]


def test_given_keys_that_clash_or_a_destination_would_fold_then_the_field_id_makes_each_name_unique():
    users = BY_STREAM["users"]
    fields = [_person_field("user_fields", 5, "role_id", "integer"),  # users has custom_role_id
              _person_field("user_fields", 6, "Tier", "text"), _person_field("user_fields", 7, "tier", "text"),
              _person_field("user_fields", 8, "Région", "text")]

    named = columns(users, fields, ["id", "custom_role_id"])

    assert {name: c[FIELD_KEY] for name, c in named.items()} == {
        "custom_role_id_5": "role_id", "custom_tier_6": "Tier", "custom_tier": "tier", "custom_r_gion_8": "Région"}


# -- read --------------------------------------------------------------------------------------------------------
def _catalog(streams: dict[str, AirbyteStream], names: list[str]) -> ConfiguredAirbyteCatalog:
    return ConfiguredAirbyteCatalog(streams=[
        ConfiguredAirbyteStream(stream=streams[name], sync_mode=SyncMode.incremental,
                                destination_sync_mode=DestinationSyncMode.append,
                                cursor_field=streams[name].default_cursor_field)
        for name in names])


def _read(zendesk: ZendeskMock, catalog: ConfiguredAirbyteCatalog, **config: Any) -> EntrypointOutput:
    return entrypoint_read(SourceZendeskSupport(), api_token_config(**config), catalog)


def _ticket(ticket_id: int, custom: dict[int, Any]) -> dict:
    return record("tickets", "tickets", id=ticket_id, custom_fields=[{"id": i, "value": v} for i, v in custom.items()],
                  generated_timestamp=START + ticket_id)


@pytest.fixture
def discovered(zendesk: ZendeskMock) -> dict[str, AirbyteStream]:
    _expect_lists(zendesk)
    streams = _discovered()
    zendesk.history.clear()
    return streams


def test_given_a_discovered_catalog_when_read_then_each_column_holds_its_converted_value_and_no_request_is_added(
        zendesk, discovered):
    raw = {101: "A-1", 102: "two\nlines", 103: "INV-000001", 104: "XXXXXXXXXXXX1234", 105: "745", 106: "12.50",
           107: True, 108: "2024-02-29", 109: "printer", 110: ["login", "search"], 111: 380000000001,
           113: "01GDXYD7ZTWYP0ZJ2A8HF0Y7SJ", 999: "a field added since discover"}
    ticket = _ticket(1, raw)
    zendesk.expect(ZendeskRequest.ticket_export(START),
                   ZendeskResponse.ok(export_page("tickets", "tickets", [ticket, _ticket(2, {105: None})], None)))
    user = record("users", "users", user_fields={"plan": "growth", "employee_count": 12, "vip": False,
                                                 "renewal_date": "2025-03-01T00:00:00+00:00", "ltv": 10,
                                                 "interests": ["events"], "manager": "380000000002"})
    zendesk.expect(ZendeskRequest.user_export(START), ZendeskResponse.ok(export_page("users", "users", [user], None)))
    organization = record("organizations", "organizations", organization_fields={"region": "emea", "seats": 4.0})
    zendesk.expect(ZendeskRequest.organization_export(START),
                   ZendeskResponse.ok(time_export_page([organization], START + 10, None)))

    output = _read(zendesk, _catalog(discovered, ["tickets", "users", "organizations"]))

    assert [request.url.split("?")[0].rsplit("/", 2)[-2:] for request in zendesk.history] == [
        ["tickets", "cursor.json"], ["users", "cursor.json"], ["incremental", "organizations.json"]]
    records = {(m.record.stream, m.record.data["id"]): m.record.data for m in output.records}
    named = {stream: set(_custom(discovered[stream])) for stream in ("tickets", "users", "organizations")}

    def columns_of(stream: str, record_id: int) -> dict:
        return {k: v for k, v in records[stream, record_id].items() if k in named[stream]}

    assert columns_of("tickets", 1) == {
        "custom_text_101": "A-1", "custom_textarea_102": "two\nlines", "custom_regexp_103": "INV-000001",
        "custom_partialcreditcard_104": "XXXXXXXXXXXX1234", "custom_integer_105": 745, "custom_decimal_106": 12.5,
        "custom_checkbox_107": True, "custom_date_108": "2024-02-29", "custom_tagger_109": "printer",
        "custom_multiselect_110": ["login", "search"], "custom_lookup_111": 380000000001,
        "custom_lookup_113": "01GDXYD7ZTWYP0ZJ2A8HF0Y7SJ"}
    assert records["tickets", 1]["custom_fields"] == [{"id": i, "value": v} for i, v in raw.items()]  # untouched
    assert columns_of("tickets", 2) == {}  # a null value: the column is null, which a record leaves out
    assert columns_of("users", user["id"]) == {
        "custom_plan": "growth", "custom_employee_count": 12, "custom_vip": False, "custom_renewal_date": "2025-03-01",
        "custom_ltv": 10, "custom_interests": ["events"], "custom_manager": 380000000002}
    assert records["users", user["id"]]["user_fields"] == user["user_fields"]
    assert columns_of("organizations", organization["id"]) == {"custom_region": "emea", "custom_seats": 4}


def test_given_values_that_do_not_convert_when_read_then_their_columns_are_null_and_one_line_per_stream_counts_them(
        zendesk, discovered):
    bad = {105: "12abc", 106: "1,5", 107: "maybe", 108: "31/01/2024", 110: [1, 2], 111: "n/a", 101: {"x": 1}}
    tickets = [_ticket(1, bad), _ticket(2, {105: "3", 108: "2024-02-30"})]
    zendesk.expect(ZendeskRequest.ticket_export(START), ZendeskResponse.ok(export_page("tickets", "tickets", tickets, None)))
    user = record("users", "users", user_fields={"employee_count": "~40", "plan": "gold"})
    zendesk.expect(ZendeskRequest.user_export(START), ZendeskResponse.ok(export_page("users", "users", [user], None)))

    output = _read(zendesk, _catalog(discovered, ["tickets", "users"]))

    data = {(m.record.stream, m.record.data["id"]): m.record.data for m in output.records}
    named = set(_custom(discovered["tickets"])) | set(_custom(discovered["users"]))
    assert not set(data["tickets", 1]) & named and not output.errors
    assert {k: v for k, v in data["tickets", 2].items() if k in named} == {"custom_integer_105": 3}
    assert {k: v for k, v in data["users", user["id"]].items() if k in named} == {"custom_plan": "gold"}
    lines = sorted(m.log.message for m in output.logs if m.log.message.startswith("Custom field columns of"))
    assert len(lines) == 2  # one line per stream
    assert lines[0].startswith("Custom field columns of 'tickets': 8 values that do not convert")
    assert "by column: " in lines[0] and "custom_integer_105 1" in lines[0]
    assert lines[1].startswith("Custom field columns of 'users': 1 values that do not convert")


def test_given_raw_fields_of_another_shape_when_read_then_no_column_and_no_error(zendesk, discovered):
    tickets = [record("tickets", "tickets", id=1, custom_fields=[105, None]),
               record("tickets", "tickets", id=2, custom_fields={"105": 3}),
               record("tickets", "tickets", id=3, custom_fields=[{"value": 4}])]
    zendesk.expect(ZendeskRequest.ticket_export(START), ZendeskResponse.ok(export_page("tickets", "tickets", tickets, None)))
    user = record("users", "users", user_fields=[{"plan": "growth"}])
    zendesk.expect(ZendeskRequest.user_export(START), ZendeskResponse.ok(export_page("users", "users", [user], None)))

    output = _read(zendesk, _catalog(discovered, ["tickets", "users"]))

    named = set(_custom(discovered["tickets"])) | set(_custom(discovered["users"]))
    assert len(output.records) == 4 and not output.errors
    assert not any(set(m.record.data) & named for m in output.records)


def test_given_custom_field_columns_off_when_read_with_a_catalog_holding_columns_then_records_are_todays(
        zendesk, discovered):
    ticket = _ticket(1, {105: 7, 109: "printer"})
    zendesk.expect(ZendeskRequest.ticket_export(START), ZendeskResponse.ok(export_page("tickets", "tickets", [ticket], None)))

    output = _read(zendesk, _catalog(discovered, ["tickets"]), custom_field_columns=False)

    (message,) = output.records
    assert not set(message.record.data) & set(_custom(discovered["tickets"]))
    assert not [m for m in output.logs if m.log.message.startswith("Custom field columns of")]


# -- conversions -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("convert", "value", "expected"), [
    (values.to_string, "x", "x"), (values.to_string, 12, "12"), (values.to_string, True, values.UNCONVERTIBLE),
    (values.to_string, ["a"], values.UNCONVERTIBLE),
    (values.to_integer, 7, 7), (values.to_integer, " -7 ", -7), (values.to_integer, 7.0, 7),
    (values.to_integer, 7.5, values.UNCONVERTIBLE), (values.to_integer, "12abc", values.UNCONVERTIBLE),
    (values.to_integer, True, values.UNCONVERTIBLE), (values.to_integer, float("inf"), values.UNCONVERTIBLE),
    (values.to_number, "12.50", 12.5), (values.to_number, 3, 3), (values.to_number, "1,5", values.UNCONVERTIBLE),
    (values.to_number, "nan", values.UNCONVERTIBLE), (values.to_number, float("inf"), values.UNCONVERTIBLE),
    (values.to_boolean, False, False), (values.to_boolean, "TRUE", True), (values.to_boolean, 0, False),
    (values.to_boolean, "maybe", values.UNCONVERTIBLE), (values.to_boolean, 2, values.UNCONVERTIBLE),
    (values.to_date, "2024-01-31", "2024-01-31"), (values.to_date, "2012-07-23T00:00:00Z", "2012-07-23"),
    (values.to_date, "2022-11-30T00:00:00+00:00", "2022-11-30"), (values.to_date, "31/01/2024", values.UNCONVERTIBLE),
    (values.to_date, "2024-01-31T13:00:00Z", values.UNCONVERTIBLE), (values.to_date, "2023-02-29", values.UNCONVERTIBLE),
    (values.to_strings, ["a", "b"], ["a", "b"]), (values.to_strings, "a", ["a"]), (values.to_strings, [],  []),
    (values.to_strings, [1], values.UNCONVERTIBLE), (values.to_strings, 5, values.UNCONVERTIBLE),
])  # fmt: skip
def test_given_a_raw_value_when_converted_to_its_columns_type_then_the_value_or_unconvertible(convert, value, expected):
    assert convert(value) == expected if expected is not values.UNCONVERTIBLE else convert(value) is expected
