"""dbt_zendesk's numbers against Zendesk's own on the emulated account (issue 17; the emulator's metric sets and
metric events follow its comments and status changes: notes/emulator-metrics.md). Per ticket, the package's full
resolution time (calendar) equals the metric set's `full_resolution_time_in_minutes.calendar` within a minute for at
least 99% of the tickets that have one, and so does its first reply time `reply_time_in_minutes.calendar`. The SLA
breaches of zendesk__sla_policies are Zendesk's breach events but for what the package is known to count otherwise
(README "Analytics", where the numbers differ), each difference checked to be one of those. Reads the end-to-end
tests' first run (conftest.py): about 3 s more."""

from __future__ import annotations

from analytics.tests.helpers import query

SHARE = 0.99


def _agreement(db, package_column: str, zendesk_column: str) -> tuple[int, list]:
    """Tickets with Zendesk's calendar figure, and those where the package's is more than a minute away."""
    rows = query(db, f"""
        select m.ticket_id, cast(m.{package_column} as double) as package,
               try_cast(json_extract_string(z.{zendesk_column}, '$.calendar') as double) as zendesk
        from main_zendesk.zendesk__ticket_metrics as m join main.ticket_metrics as z on z.ticket_id = m.ticket_id
        where m.status != 'deleted' and try_cast(json_extract_string(z.{zendesk_column}, '$.calendar') as double)
            is not null""")
    return len(rows), [row for row in rows if row[1] is None or abs(row[1] - row[2]) > 1]


def test_given_the_emulated_account_then_the_package_full_resolution_times_are_zendesks(first_run):
    _, db, _ = first_run
    compared, off = _agreement(db, "final_resolution_calendar_minutes", "full_resolution_time_in_minutes")
    assert compared > 200
    assert len(off) <= compared * (1 - SHARE), f"{len(off)} of {compared} tickets differ by more than a minute: {off[:10]}"


def test_given_the_emulated_account_then_the_package_first_reply_times_are_zendesks(first_run):
    _, db, _ = first_run
    compared, off = _agreement(db, "first_reply_time_calendar_minutes", "reply_time_in_minutes")
    assert compared > 200
    assert len(off) <= compared * (1 - SHARE), f"{len(off)} of {compared} tickets differ by more than a minute: {off[:10]}"


def _breaches(db, metric: str) -> tuple[set[int], set[int], set[int]]:
    """Tickets the package measures for an SLA metric, those it finds breached, those Zendesk sent a breach for."""
    measured = {t for (t,) in query(db, f"select distinct ticket_id from main_zendesk.zendesk__sla_policies "
                                        f"where metric = '{metric}'")}
    package = {t for (t,) in query(db, f"select ticket_id from main_zendesk.zendesk__sla_policies "
                                       f"where metric = '{metric}' group by 1 having bool_or(is_sla_breach)")}
    # Zendesk's first reply is the first instance of its reply_time metric
    which = "metric = 'reply_time' and instance_id = 1" if metric == "first_reply_time" else f"metric = '{metric}'"
    zendesk = {t for (t,) in query(db, f"select distinct ticket_id from main.ticket_metric_events "
                                       f"where type = 'breach' and {which}")}
    return measured, package, zendesk


def test_given_the_emulated_account_then_first_reply_sla_breaches_are_zendesks_but_a_reply_at_the_target(first_run):
    """dbt_zendesk measures business minutes up to the reply and breaches above the target; Zendesk breaches when its
    clock reaches the target. A reply after hours on the day the target is reached at closing time is breached for
    Zendesk and met, at exactly the target, for the package: the only difference allowed."""
    _, db, _ = first_run
    measured, package, zendesk = _breaches(db, "first_reply_time")
    at_target = {t for (t,) in query(db, "select ticket_id from main_zendesk.zendesk__sla_policies where metric = "
                                         "'first_reply_time' and abs(sla_elapsed_time - target) < 0.01")}
    assert len(measured) > 200 and package and zendesk - package
    assert package - zendesk == set()
    assert zendesk - package <= at_target


def test_given_the_emulated_account_then_requester_wait_sla_breaches_differ_only_where_the_package_is_known_to(
    first_run
):
    """Three known differences of dbt_zendesk 1.6.1 on DuckDB and Postgres: a week of a wait without any schedule
    interval counts in full as business time (its `least(..., schedule.end_time_utc)` ignores the null of the left
    join there, which BigQuery and Snowflake would propagate), so the package finds breaches Zendesk does not; a
    wait still running now is not a breach in the package until it ends, where Zendesk breaches once the clock reaches
    the target; and a ticket deleted while its requester was waiting has no requester wait in the package (its status
    is one the package does not measure), where Zendesk breached it before the deletion."""
    _, db, _ = first_run
    measured, package, zendesk = _breaches(db, "requester_wait_time")
    full_weeks = {t for (t,) in query(db, "select distinct ticket_id from main_zendesk_intermediate."
                                          "int_zendesk__requester_wait_time_business_hours "
                                          "where schedule_end_time is null and scheduled_minutes > 0")}
    waiting = {t for (t,) in query(db, "select ticket_id from main_zendesk.zendesk__ticket_metrics "
                                       "where status in ('new', 'open', 'pending', 'hold')")}
    deleted = {t for (t,) in query(db, "select ticket_id from main_zendesk.zendesk__ticket_metrics "
                                       "where status = 'deleted'")}
    assert len(measured) > 200 and package & zendesk
    assert package - zendesk <= full_weeks
    assert zendesk - package <= waiting | deleted
