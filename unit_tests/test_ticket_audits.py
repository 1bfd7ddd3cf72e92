"""ticket_audits comes newest first: the state may only move once a walk reached the previous state."""

from __future__ import annotations

from .harness import DAY, START, api_token_config, read, records_of, states_of
from .zendesk_http import ZendeskRequest, ZendeskResponse, audit_page, iso, record

SAVED = START + 10 * DAY


def _audits(*items: tuple[int, int]) -> list[dict]:
    return [record("ticket_audits", "audits", id=i, created_at=iso(t)) for i, t in items]


def test_given_a_walk_cut_short_when_the_next_sync_resumes_then_no_audit_is_lost(zendesk):
    older_1, older_2 = ZendeskRequest.ticket_audits("b1"), ZendeskRequest.ticket_audits("b2")
    # Sync 1: two pages, then Zendesk fails the third request.
    zendesk.expect(
        ZendeskRequest.ticket_audits(),
        ZendeskResponse.ok(audit_page(_audits((7, SAVED + 700), (6, SAVED + 600)), older_1)),
    )
    zendesk.expect(older_1, ZendeskResponse.ok(audit_page(_audits((5, SAVED + 500), (4, SAVED + 400)), older_2)))
    zendesk.expect(older_2, ZendeskResponse.error(400, "error_too_recent"))

    first = read(
        api_token_config(), ["ticket_audits"], state={"ticket_audits": {"created_at": iso(SAVED)}}, expect_failure=True
    )

    assert [r["id"] for r in records_of(first, "ticket_audits")] == [7, 6, 5, 4]
    saved = states_of(first, "ticket_audits")
    # created_at stays put until the walk is over; the walk remembers where it was.
    assert saved == [
        {"created_at": iso(SAVED), "_walk": {"high_water": iso(SAVED + 700), "before_url": older_1.url}},
        {"created_at": iso(SAVED), "_walk": {"high_water": iso(SAVED + 700), "before_url": older_2.url}},
    ]

    # Sync 2 resumes at the page that failed; it reaches the previous state and closes the walk.
    zendesk.expect(older_2, ZendeskResponse.ok(audit_page(_audits((3, SAVED + 300), (2, SAVED + 200), (1, SAVED - 100)),
                                                         ZendeskRequest.ticket_audits("b3"))))  # fmt: skip

    second = read(api_token_config(), ["ticket_audits"], state={"ticket_audits": saved[-1]})

    assert [r["id"] for r in records_of(second, "ticket_audits")] == [3, 2]
    assert states_of(second, "ticket_audits")[-1] == {"created_at": iso(SAVED + 700)}

    # Sync 3: an audit created meanwhile (8) sits above the old high-water mark and is picked up.
    zendesk.expect(ZendeskRequest.ticket_audits(), ZendeskResponse.ok(
        audit_page(_audits((8, SAVED + 800), (7, SAVED + 700), (6, SAVED + 600)), older_1)))  # fmt: skip

    third = read(api_token_config(), ["ticket_audits"], state={"ticket_audits": {"created_at": iso(SAVED + 700)}})

    assert [r["id"] for r in records_of(third, "ticket_audits")] == [8, 7]  # 7 again: the boundary second is inclusive
    assert states_of(third, "ticket_audits")[-1] == {"created_at": iso(SAVED + 800)}
    synced = {r["id"] for out in (first, second, third) for r in records_of(out, "ticket_audits")}
    assert synced == {2, 3, 4, 5, 6, 7, 8}


def test_given_no_state_when_read_then_the_walk_goes_down_to_start_date(zendesk):
    older = ZendeskRequest.ticket_audits("b1")
    zendesk.expect(ZendeskRequest.ticket_audits(), ZendeskResponse.ok(audit_page(_audits((3, START + 3 * DAY)), older)))
    zendesk.expect(
        older,
        ZendeskResponse.ok(audit_page(_audits((2, START + DAY), (1, START - DAY)), ZendeskRequest.ticket_audits("b2"))),
    )

    output = read(api_token_config(), ["ticket_audits"])

    assert [r["id"] for r in records_of(output, "ticket_audits")] == [3, 2]
    assert states_of(output, "ticket_audits")[-1] == {"created_at": iso(START + 3 * DAY)}


def test_given_no_audits_at_all_when_read_then_the_state_stays_at_start_date(zendesk):
    zendesk.expect(ZendeskRequest.ticket_audits(), ZendeskResponse.ok(audit_page([], None)))

    output = read(api_token_config(), ["ticket_audits"])

    assert records_of(output, "ticket_audits") == []
    assert states_of(output, "ticket_audits") == [{"created_at": iso(START)}]
