"""Record shapes: every documented top-level field, nested parts (via, custom fields, satisfaction rating, audit
events, metric minute objects) and the realism the sync tests rely on (shared seconds, bursts, text sizes)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from zendesk_emulator.data.catalog import CUSTOM_TYPES

from .test_account_helpers import Client, cursor_pages, export_pages, make_account, offset_pages, records, time_pages

TICKET_FIELDS = {"url", "id", "external_id", "via", "created_at", "updated_at", "type", "subject", "raw_subject",
                 "description", "priority", "status", "recipient", "requester_id", "submitter_id", "assignee_id",
                 "organization_id", "group_id", "collaborator_ids", "follower_ids", "email_cc_ids", "forum_topic_id",
                 "problem_id", "has_incidents", "is_public", "due_at", "tags", "custom_fields", "satisfaction_rating",
                 "sharing_agreement_ids", "custom_status_id", "fields", "followup_ids", "ticket_form_id", "brand_id",
                 "allow_channelback", "allow_attachments", "from_messaging_channel"}
USER_FIELDS = {"id", "url", "name", "email", "created_at", "updated_at", "time_zone", "iana_time_zone", "phone",
               "shared_phone_number", "photo", "locale_id", "locale", "organization_id", "role", "verified", "external_id",
               "tags", "alias", "active", "shared", "shared_agent", "last_login_at", "two_factor_auth_enabled", "signature",
               "details", "notes", "role_type", "custom_role_id", "moderator", "ticket_restriction", "only_private_comments",
               "restricted_agent", "suspended", "default_group_id", "report_csv", "user_fields"}
ORG_FIELDS = {"url", "id", "name", "shared_tickets", "shared_comments", "external_id", "created_at", "updated_at",
              "domain_names", "details", "notes", "group_id", "tags", "organization_fields", "deleted_at"}
METRIC_MINUTES = ("reply_time_in_minutes", "first_resolution_time_in_minutes", "full_resolution_time_in_minutes",
                  "agent_wait_time_in_minutes", "requester_wait_time_in_minutes", "on_hold_time_in_minutes")


@pytest.fixture(scope="module")
def account():
    return make_account()[0]


@pytest.fixture(scope="module")
def tickets(account):
    return records(export_pages(Client(account), "incremental/tickets/cursor.json", start_time=0, include="metric_sets"), "tickets")


def test_given_exported_tickets_then_every_documented_field_is_present(tickets):
    for ticket in tickets:
        assert set(ticket) == TICKET_FIELDS | {"generated_timestamp"} | ({"metric_set"} if ticket["status"] != "deleted" else set())
        assert ticket["fields"] == ticket["custom_fields"]
        assert set(ticket["via"]) == {"channel", "source"} and set(ticket["via"]["source"]) >= {"from", "to", "rel"}
        assert ticket["created_at"] <= ticket["updated_at"]
    assert Counter(t["via"]["channel"] for t in tickets).keys() >= {"email", "web", "api", "voice", "chat"}


# The shape of a value of each custom field type, and of the legacy values a few fields hold (custom_fields.py).
VALUE_SHAPES = {"integer": r"-?\d+", "decimal": r"-?\d+(\.\d+)?", "date": r"\d{4}-\d\d-\d\d", "lookup": r"\d+",
                "partialcreditcard": r"X{12}\d{4}", "regexp": r"[A-Z]{3,4}-\d{5,6}", "checkbox": r"True|False"}
LEGACY_SHAPES = {"integer": r"~\d+", "decimal": r"\d{1,3}( \d{3})*\.\d\d", "date": r"\d\d/\d\d/\d{4}"}


def _shape(kind: str, value, options: set[str]) -> str:
    """'ok', 'legacy' (a value Zendesk holds that its field's type no longer fits) or 'wrong'."""
    if kind in ("multiselect", "tagger", "dropdown"):
        values = value if isinstance(value, list) else [value]
        fits = bool(values) and set(values) <= options and isinstance(value, list) == (kind == "multiselect")
        return "ok" if fits else "wrong"
    if kind in ("text", "textarea"):
        return "ok" if isinstance(value, str) and value else "wrong"
    if kind in LEGACY_SHAPES and isinstance(value, str) and re.fullmatch(LEGACY_SHAPES[kind], value):
        return "legacy"
    if kind in ("integer", "lookup") and type(value) is not int or kind == "decimal" and type(value) is not float:
        return "wrong"
    return "ok" if re.fullmatch(VALUE_SHAPES[kind], str(value)) else "wrong"


def test_given_custom_fields_then_values_match_their_field_types(account, tickets):
    kinds = {f["id"]: f for f in account.data.catalog.ticket_fields}
    seen = Counter()
    shapes = Counter()
    for ticket in tickets:
        for item in ticket["custom_fields"]:
            field, value = kinds[item["id"]], item["value"]
            kind = field["type"]
            if value is None:
                seen["null"] += 1
                continue
            shape = _shape(kind, value, {o["value"] for o in field.get("custom_field_options", [])})
            assert shape != "wrong", (kind, value)
            shapes[kind, shape] += 1
            seen[type(value).__name__] += 1
            if kind in ("tagger", "multiselect"):
                assert set(value if isinstance(value, list) else [value]) <= set(ticket["tags"])
            if kind == "checkbox" and value:
                assert field["tag"] in ticket["tags"]
    assert {"null", "str", "int", "float", "bool", "list"} <= set(seen)
    assert {kind for kind, _ in shapes} == set(CUSTOM_TYPES)
    for kind in LEGACY_SHAPES:  # a few legacy values, as long-lived accounts hold
        assert 0 < shapes[kind, "legacy"] < 0.05 * shapes[kind, "ok"], kind


@pytest.mark.parametrize(("path", "key", "fields_key"), [("users.json", "users", "user_fields"),
                                                         ("organizations.json", "organizations", "organization_fields")])
def test_given_user_and_organization_fields_then_each_type_has_values_of_its_shape(account, path, key, fields_key):
    client = Client(account)
    fields = {f["key"]: f for f in client.get(f"{fields_key}.json")[fields_key]}
    assert {f["type"] for f in fields.values()} == set(CUSTOM_TYPES) - {"tagger", "partialcreditcard"} | {"dropdown"}
    shapes = Counter()
    for record in records(offset_pages(client, path), key):
        assert set(record[fields_key]) == set(fields)
        for name, value in record[fields_key].items():
            field = fields[name]
            if value is None or value is False and field["type"] == "checkbox":
                continue
            shape = _shape(field["type"], value, {o["value"] for o in field.get("custom_field_options", [])})
            assert shape != "wrong", (field["type"], value)
            shapes[field["type"], shape] += 1
    for kind in LEGACY_SHAPES:
        assert 0 < shapes[kind, "legacy"] < 0.1 * shapes[kind, "ok"], kind


def test_given_tickets_then_ratings_problems_people_and_texts_are_realistic(tickets):
    ratings = Counter((t["satisfaction_rating"] or {}).get("score") for t in tickets)
    assert {None, "unoffered", "offered", "good", "bad"} <= set(ratings)
    rated = [t["satisfaction_rating"] for t in tickets if (t["satisfaction_rating"] or {}).get("score") in ("good", "bad")]
    assert all(set(r) == {"id", "score", "comment", "reason", "reason_id"} for r in rated)
    ids = {t["id"]: t for t in tickets}
    incidents = [t for t in tickets if t["problem_id"]]
    assert incidents and all(ids[t["problem_id"]]["type"] == "problem" and ids[t["problem_id"]]["has_incidents"] for t in incidents)
    lengths = sorted(len(t["description"]) for t in tickets)
    assert lengths[len(lengths) // 10] > 150 and lengths[-1] > 3000
    assert any(t["collaborator_ids"] for t in tickets) and any(t["email_cc_ids"] for t in tickets)
    assert len({t["brand_id"] for t in tickets}) == 2 and len({t["ticket_form_id"] for t in tickets}) == 3


def test_given_exports_then_many_records_share_a_second_and_bursts_exceed_a_page(account, tickets):
    per_second = Counter(t["generated_timestamp"] for t in tickets)
    assert max(per_second.values()) > 1000
    assert sum(n for n in per_second.values() if n > 1) > 1200
    created = Counter(t["created_at"] for t in tickets)
    assert sum(n for n in created.values() if n > 1) > 100
    orgs = records(time_pages(Client(account), "incremental/organizations.json", start_time=0), "organizations")
    assert max(Counter(o["updated_at"] for o in orgs).values()) > 1000


def test_given_metric_sets_then_minute_objects_and_timestamps_are_there(tickets):
    for ticket in tickets:
        metric = ticket.get("metric_set")
        if not metric:
            continue
        for name in METRIC_MINUTES:
            assert set(metric[name]) == {"calendar", "business"}
        for name in ("created_at", "updated_at", "assigned_at", "solved_at", "latest_comment_added_at", "status_updated_at",
                     "initially_assigned_at", "requester_updated_at", "assignee_updated_at", "custom_status_updated_at"):
            assert name in metric
        if metric["solved_at"]:
            assert ticket["created_at"] <= metric["solved_at"] <= ticket["updated_at"]
            assert metric["full_resolution_time_in_minutes"]["calendar"] is not None


def test_given_audits_then_events_follow_zendesk_shapes_and_replay_to_the_ticket(account):
    client = Client(account)
    audits = records(cursor_pages(client, "ticket_audits.json", **{"page[size]": 100}), "audits")
    kinds = Counter(e["type"] for a in audits for e in a["events"])
    assert {"Create", "Change", "Comment", "Notification", "SatisfactionRating", "AgentMacroReference"} <= set(kinds)
    for audit in audits:
        assert set(audit) == {"id", "ticket_id", "created_at", "author_id", "metadata", "via", "events"}
        assert set(audit["metadata"]) == {"system", "custom"}
        for event in audit["events"]:
            if event["type"] == "Comment":
                assert set(event) >= {"id", "body", "html_body", "plain_body", "public", "attachments", "audit_id", "author_id"}
                assert event["audit_id"] == audit["id"]
            if event["type"] == "Change":
                assert "previous_value" in event and "field_name" in event
            if event["type"] == "Notification":
                assert set(event) >= {"subject", "body", "recipients", "via"}
    assert any(e["attachments"] for a in audits for e in a["events"] if e["type"] == "Comment")
    systems = [a["metadata"]["system"] for a in audits if a["author_id"] != -1]
    assert all(set(s) == {"client", "ip_address", "location", "latitude", "longitude"} for s in systems)
    by_ticket: dict[int, list[dict]] = {}
    for audit in audits:
        by_ticket.setdefault(audit["ticket_id"], []).append(audit)
    for ticket_id, items in list(by_ticket.items())[:150]:
        status = None
        for audit in sorted(items, key=lambda a: (a["created_at"], a["id"])):
            for event in audit["events"]:
                if event.get("field_name") == "status":
                    if event["type"] == "Change":
                        assert event["previous_value"] == status
                    status = event["value"]
        assert status == client.get(f"tickets/{ticket_id}.json")["ticket"]["status"]


def test_given_people_then_users_and_organizations_have_every_field(account):
    client = Client(account)
    users = records(export_pages(client, "incremental/users/cursor.json", start_time=0), "users")
    assert all(set(u) == USER_FIELDS for u in users)
    assert Counter(u["role"] for u in users).keys() == {"end-user", "agent", "admin"}
    assert any(u["photo"] and u["photo"]["thumbnails"] for u in users)
    assert len({u["email"] for u in users}) == len(users)
    orgs = records(time_pages(client, "incremental/organizations.json", start_time=0), "organizations")
    assert all(set(o) == ORG_FIELDS for o in orgs)
    assert len({o["name"] for o in orgs}) == len({o["id"] for o in orgs})


def test_given_configuration_resources_then_their_nested_parts_are_complete(account):
    client = Client(account)
    fields = client.get("ticket_fields.json")["ticket_fields"]
    types = Counter(f["type"] for f in fields)
    assert {"subject", "description", "status", "tickettype", "priority", "group", "assignee", "text", "integer", "decimal",
            "checkbox", "tagger", "multiselect", "textarea", "date", "regexp"} <= set(types)
    for field in fields:
        for option in field.get("custom_field_options", []):
            assert set(option) == {"id", "name", "raw_name", "value", "position", "default"}
        if field["type"] in ("status", "priority", "tickettype"):
            assert all(set(o) == {"name", "value"} for o in field["system_field_options"])
    macros = client.get("macros.json")["macros"]
    assert all(all(set(a) == {"field", "value"} for a in m["actions"]) for m in macros)
    restrictions = [m["restriction"] for m in macros if m["restriction"]]
    assert restrictions and all(r["type"] in ("Group", "User") for r in restrictions)
    groups = client.get("groups.json", exclude_deleted="false")["groups"]
    assert all(set(g) == {"id", "url", "name", "description", "default", "deleted", "is_public", "created_at", "updated_at"} for g in groups)
    memberships = client.get("group_memberships.json")["group_memberships"]
    assert all(set(m) == {"id", "url", "user_id", "group_id", "default", "created_at", "updated_at"} for m in memberships)
    assert all(set(t) == {"name", "count"} for t in client.get("tags.json")["tags"])
