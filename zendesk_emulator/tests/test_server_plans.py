"""Plan gating end to end: each plan lacks what Zendesk's plan lacks and answers the plan 403; per-feature switches
turn one feature off (or on) over the plan; the default plan serves everything."""

from __future__ import annotations

import pytest

from zendesk_emulator.account import Sizes, ZendeskAccount
from zendesk_emulator.testing import EmulatorError, serve_in_thread

FORBIDDEN = {"error": {"title": "Forbidden", "message": "You do not have access to this page. Please contact the account "
                                                         "owner of this help desk for further help."}}
TIERS = ("team", "growth", "professional", "enterprise")
GATED = {  # path -> the lowest plan that has it
    "ticket_forms.json": "growth", "slas/policies.json": "growth", "business_hours/schedules.json": "growth",
    "satisfaction_ratings.json": "growth", "tickets/{ticket}/side_conversations.json": "professional",
    "custom_roles.json": "enterprise", "audit_logs.json": "enterprise", "routing/attributes.json": "enterprise",
    "routing/attributes/definitions.json": "enterprise",
}
OPEN = ("custom_statuses.json", "automations.json", "triggers.json", "brands.json", "organization_memberships.json",
        "activities.json", "skips.json", "user_fields.json", "organization_fields.json")


@pytest.fixture(scope="module")
def emu():
    with serve_in_thread(ZendeskAccount, seed=2, sizes=Sizes(tickets=150)) as running:
        yield running


def _status(session, emu, path: str) -> tuple[int, dict]:
    response = session.get(emu.url(path.format(ticket=3)), timeout=30)
    return response.status_code, response.json()


@pytest.mark.parametrize("plan", [*TIERS, "high-volume", "unlimited"])
def test_given_a_plan_when_calling_gated_endpoints_then_missing_features_answer_the_plan_403(session, emu, plan):
    emu.control("PUT", "settings", json={"plan": plan})
    rank = TIERS.index(plan) if plan in TIERS else len(TIERS)
    for path, lowest in GATED.items():
        status, body = _status(session, emu, path)
        if rank < TIERS.index(lowest):
            assert (status, body) == (403, FORBIDDEN), (plan, path)
        else:
            assert status == 200, (plan, path, body)
    for path in OPEN:
        assert _status(session, emu, path)[0] == 200, (plan, path)


def test_given_feature_switches_when_set_then_they_override_the_plan(session, emu):
    assert emu.control("GET", "settings")["plan"] == "enterprise"
    emu.control("PUT", "settings", json={"features": {"audit_logs": False}})
    assert _status(session, emu, "audit_logs.json") == (403, FORBIDDEN)
    assert _status(session, emu, "custom_roles.json")[0] == 200
    emu.control("PUT", "settings", json={"plan": "team", "features": {"ticket_forms": True}})
    assert _status(session, emu, "ticket_forms.json")[0] == 200
    assert _status(session, emu, "slas/policies.json") == (403, FORBIDDEN)
    assert emu.control("GET", "settings")["features"] == {"ticket_forms": True}


@pytest.mark.parametrize("patch", [{"features": {"nope": False}}, {"features": {"audit_logs": "off"}}, {"features": ["audit_logs"]}])
def test_given_bad_feature_settings_when_putting_then_400(emu, patch):
    with pytest.raises(EmulatorError, match="400"):
        emu.control("PUT", "settings", json=patch)


GUIDE = ("help_center/categories.json", "help_center/incremental/articles.json?start_time=0", "community/posts.json")
NOT_FOUND = {"error": "InvalidEndpoint", "description": "Not found"}


def test_given_help_center_or_community_off_then_their_endpoints_answer_404_and_their_truth_is_empty(session, emu):
    assert [_status(session, emu, p)[0] for p in GUIDE] == [200, 200, 200]
    article = emu.control("GET", "truth/articles")[0]
    emu.control("PUT", "settings", json={"community": False})
    assert [_status(session, emu, p) for p in GUIDE[2:]] == [(404, NOT_FOUND)]
    assert [_status(session, emu, p)[0] for p in GUIDE[:2]] == [200, 200]
    assert emu.control("GET", "truth/posts") == [] and emu.control("GET", "truth/articles")
    emu.control("PUT", "settings", json={"help_center": False, "community": True})
    response = session.get(emu.url(f"help_center/articles/{article['id']}/votes.json"), timeout=30)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert int(response.headers["X-Rate-Limit-Remaining"]) < 700  # counted like any request
    assert [_status(session, emu, p) for p in GUIDE] == [(404, NOT_FOUND)] * 3
    assert all(emu.control("GET", f"truth/{s}") == [] for s in ("categories", "article_comment_votes", "post_votes"))
    assert emu.control("GET", "stats")["by_route"]["GET help_center/articles/{id}/votes"] == 1
    assert emu.control("GET", "truth/tickets")  # Support is unaffected
    with pytest.raises(EmulatorError, match="400"):
        emu.control("PUT", "settings", json={"help_center": "off"})


def test_given_a_guide_route_fault_then_it_is_injected_by_route_name(session, emu):
    post = emu.control("GET", "truth/posts")[0]["id"]
    emu.control("PUT", "settings", json={"fault_sequence": {"community/posts/{id}/votes": ["503", "ok"]}})
    path = f"community/posts/{post}/votes.json?page[size]=100"
    assert [_status_code(session, emu, path) for _ in range(2)] == [503, 200]


def _status_code(session, emu, path: str) -> int:
    return session.get(emu.url(path), timeout=30).status_code
