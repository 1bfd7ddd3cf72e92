"""The benchmark's arithmetic and its reading of connector output, without running anything."""

from __future__ import annotations

import json

import pytest

from bench import report
from bench.floor import TABLES, publishers
from bench.runners import Scan
from scripts.airbyte_run import STREAMS


def test_minimum_requests_of_a_full_sync_follow_the_maximum_page_sizes_and_the_sideload():
    records = {"tickets": 100_000, "users": 25_001, "groups": 200, "tags": 0, "ticket_metrics": 99_000,
               "ticket_audits": 91_756}

    minimum = report.minimum_requests(records)

    assert minimum == {"tickets": 100, "users": 26, "groups": 2, "tags": 1, "ticket_metrics": 0, "ticket_audits": 92}


def test_minimum_requests_after_changes_read_the_changes_from_the_exports_and_whole_lists():
    records = {"tickets": 100_000, "organizations": 5000, "macros": 2000, "ticket_metrics": 99_000,
               "ticket_audits": 92_000}
    changed = {"tickets": 1000, "organizations": 0, "macros": 20, "ticket_metrics": 1000, "ticket_audits": 1001}

    minimum = report.minimum_requests(records, changed=changed)

    assert minimum == {"tickets": 1, "organizations": 1, "macros": 20, "ticket_metrics": 0, "ticket_audits": 2}


def test_the_article_export_needs_the_empty_page_that_ends_it_and_its_per_article_streams_read_its_pages():
    records = {"articles": 2000, "article_comments": 5000, "article_votes": 700}

    assert report.minimum_requests(records) == {"articles": 3, "article_comments": 0, "article_votes": 0}
    assert report.minimum_requests(records, changed={"articles": 0})["articles"] == 1  # the empty page alone
    assert report.minimum_requests(records, changed={"articles": 40})["articles"] == 2
    assert report.minimum_requests(records, ["article_votes"]) == {"article_votes": 3}


def test_without_tickets_selected_ticket_metrics_need_their_own_export_pages():
    assert report.minimum_requests({"ticket_metrics": 2500}) == {"ticket_metrics": 3}


def test_streams_reading_another_streams_pages_cost_nothing_when_it_is_read_and_its_pages_when_it_is_not():
    records = {"ticket_events": 403_310, "ticket_comments": 331_362, "ticket_field_history": 1_925_850,
               "users": 25_000, "user_identities": 33_765}

    everything = report.minimum_requests(records)
    without_events = report.minimum_requests(records, ["ticket_comments", "ticket_field_history", "user_identities"])

    assert everything == {"ticket_events": 404, "ticket_comments": 0, "ticket_field_history": 0, "users": 25,
                          "user_identities": 0}
    # The export's pages are the events' (403,310 of them), whichever of its streams requests them.
    assert without_events == {"ticket_comments": 404, "ticket_field_history": 0, "user_identities": 25}


def test_lists_served_whole_need_one_request_and_unfiltered_lists_are_read_whole_after_a_change():
    records = {"custom_roles": 5, "attribute_definitions": 21, "organization_memberships": 15_067,
               "satisfaction_ratings": 54_326, "audit_logs": 12_500}
    changed = {"custom_roles": 1, "organization_memberships": 150, "satisfaction_ratings": 0, "audit_logs": 101}

    assert report.minimum_requests(records) == {"custom_roles": 1, "attribute_definitions": 1,
                                                "organization_memberships": 151, "satisfaction_ratings": 544,
                                                "audit_logs": 125}
    assert report.minimum_requests(records, changed=changed) == {
        "custom_roles": 1, "attribute_definitions": 1, "organization_memberships": 151, "satisfaction_ratings": 1,
        "audit_logs": 2}


def _guide_truth() -> dict[str, list[dict]]:
    """A tiny truth of every stream (empty but the ones these tests look at)."""
    truth: dict[str, list[dict]] = {name: [] for name in TABLES}
    truth["tickets"] = [{"id": 1, "status": "open"}, {"id": 2, "status": "deleted"}, {"id": 3, "status": "solved"},
                        {"id": 4, "status": "closed"}]
    truth["side_conversations"] = ([{"id": f"a{i}", "ticket_id": 3} for i in range(101)]
                                   + [{"id": "b", "ticket_id": 1}])
    # Article 10: 150 comments (two pages), one with 101 votes (two pages) and one with 3; article 11: one comment
    # nobody voted on; article 12: none, nobody voted on it.
    truth["articles"] = [{"id": 10, "vote_count": 2}, {"id": 11, "vote_count": 1}, {"id": 12, "vote_count": 0}]
    truth["article_comments"] = ([{"id": 100 + i, "source_id": 10, "author_id": 7, "vote_count": 0}
                                  for i in range(150)] + [{"id": 300, "source_id": 11, "author_id": 7, "vote_count": 0}])
    truth["article_comments"][0]["vote_count"] = 101
    truth["article_comments"][1]["vote_count"] = 3
    truth["article_comment_votes"] = ([{"id": 1000 + i, "item_id": 100, "user_id": 7} for i in range(101)]
                                      + [{"id": 2000 + i, "item_id": 101, "user_id": 7} for i in range(3)])
    truth["article_votes"] = [{"id": 5000, "item_id": 10, "user_id": 7}, {"id": 5001, "item_id": 10, "user_id": 8},
                              {"id": 5002, "item_id": 11, "user_id": 7}]
    return truth


def _by_label(levels: list[dict]) -> dict[str, tuple[str, int, int, int]]:
    return {level["label"]: (level["route"], level["rows"], level["skipped"], level["minimum"]) for level in levels}


def test_a_per_row_list_needs_a_request_per_parent_it_may_have_children_for_and_one_per_extra_page():
    levels = _by_label(report.per_row_minimum(_guide_truth()))

    # ticket 2 is deleted: not asked; ticket 3 has 101 side conversations: two pages
    assert levels["side_conversations"] == ("tickets/{id}/side_conversations", 3, 1, 1 + 2 + 1)
    assert levels["article_votes"] == ("help_center/articles/{id}/votes", 2, 1, 2)  # article 12: vote_count 0


def test_a_nested_list_asks_every_comment_of_the_articles_asked_and_votes_only_of_the_comments_with_votes():
    levels = _by_label(report.per_row_minimum(_guide_truth()))

    # Level 1: every article's comments (no skip rule), article 10's in two pages of 100.
    assert levels["article_comment_votes level 1"] == ("help_center/articles/{id}/comments", 3, 0, 2 + 1 + 1)
    # Level 2: the 151 comments listed at level 1; the 149 with vote_count 0 are not asked, 101 votes take two pages.
    assert levels["article_comment_votes level 2"] == ("help_center/articles/{id}/comments/{id}/votes", 2, 149, 2 + 1)
    assert levels["article_comments"] == ("help_center/articles/{id}/comments", 3, 0, 4)


def test_after_a_change_a_nested_list_asks_the_changed_parents_and_every_child_of_theirs():
    truth = _guide_truth()
    changed = {name: [] for name in truth} | {"articles": [truth["articles"][1]]}  # only article 11 changed

    levels = _by_label(report.per_row_minimum(truth, changed))

    assert levels["article_comment_votes level 1"][1:] == (1, 0, 1)
    assert levels["article_comment_votes level 2"][1:] == (0, 1, 0)  # its one comment has no votes
    assert levels["article_votes"][1:] == (1, 0, 1)
    assert levels["side_conversations"][1:] == (0, 0, 0)


def test_a_route_two_streams_ask_is_counted_and_compared_per_route():
    levels = report.per_row_minimum(_guide_truth())

    minimums = report.route_minimums(levels)
    table = report.route_table(levels)

    comments = "help_center/articles/{id}/comments"
    assert minimums[comments] == 4 + 4  # article_comments and article_comment_votes' first level, each for itself
    assert report.route_minimums(levels, ["article_comments"])[comments] == 4
    assert table[comments]["levels"].keys() == {"article_comments", "article_comment_votes level 1"}
    assert table[comments]["shared"] == 4  # the same articles' comments, listed once for both
    assert table["tickets/{id}/side_conversations"]["shared"] == table["tickets/{id}/side_conversations"]["minimum"]
    assert report.stream_of_route(comments) is None  # no one stream's
    assert report.stream_of_route("help_center/articles/{id}/comments/{id}/votes") == "article_comment_votes"
    assert report.CHILD_ROUTES["community/posts/{id}/comments"][1].label == "post_comment_votes level 1"


def test_the_field_naming_a_childs_parent_is_found_in_the_truth_or_refused_when_ambiguous():
    parents = [{"id": 1}, {"id": 2}]

    assert report.parent_field([{"id": 9, "item_id": 1, "user_id": 50}], parents) == "item_id"
    assert report.parent_field([], parents) is None
    with pytest.raises(ValueError):
        report.parent_field([{"id": 9, "item_id": 1, "user_id": 2}], parents)


def test_the_floor_reads_every_stream_of_the_catalog_the_way_its_class_declares():
    assert list(TABLES) == list(STREAMS)
    assert TABLES["tickets"].first_params(7, [TABLES["ticket_metrics"], TABLES["side_conversations"]]) == {
        "per_page": 1000, "include": "metric_sets", "start_time": 7}
    assert TABLES["ticket_events"].first_params(7, [TABLES["ticket_comments"]])["include"] == "comment_events"
    assert (TABLES["groups"].style, TABLES["organizations"].style, TABLES["ticket_audits"].style,
            TABLES["custom_roles"].style) == ("links", "next_page", "before_url", None)
    chosen = publishers(STREAMS)
    assert {name: publisher for name, publisher in chosen.items() if publisher} == {
        "ticket_metrics": "tickets", "side_conversations": "tickets", "conversation_log": "tickets",
        "ticket_comments": "ticket_events",
        "ticket_field_history": "ticket_events", "ticket_schedules": "ticket_events",
        "ticket_sla_policies": "ticket_metric_events", "user_identities": "users",
        **{name: "articles" for name in ("article_attachments", "article_comments", "article_votes",
                                          "article_comment_votes")},
        **{name: "posts" for name in ("post_comments", "post_votes", "post_comment_votes")},
        "schedule_holidays": "schedules", "custom_object_fields": "custom_objects",
        "custom_object_records": "custom_objects"}
    # Without the family's own stream, the first that reads rows of its own requests the pages.
    assert publishers(["side_conversations", "ticket_metrics"]) == {"ticket_metrics": None,
                                                                    "side_conversations": "ticket_metrics"}


def test_the_rate_limit_floor_is_the_slower_bucket_in_real_seconds():
    assert report.rate_floor_seconds(exports=130, total=264, time_scale=1) == pytest.approx(780)
    assert report.rate_floor_seconds(exports=10, total=2100, time_scale=2) == pytest.approx(90)


def test_requests_are_read_from_the_emulator_log_with_429s_and_per_ticket_routes_apart():
    log = [
        "GET https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?start_time=1 -> 200 4000B 30.0ms",
        "GET https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=x -> 429 80B 0.2ms",
        "GET https://acme.zendesk.com/api/v2/tickets/12/audits.json?page[size]=100 -> 200 900B 1.0ms",
        "GET https://acme.zendesk.com/api/v2/tickets/13/metrics -> 200 900B 1.0ms",
        "GET https://acme.zendesk.com/api/v2/tickets/13/side_conversations.json?per_page=100 -> 200 90B 1.0ms",
        "GET https://acme.zendesk.com/api/v2/tickets/count.json -> 200 60B 0.5ms",
        "GET http://127.0.0.1:1/_emulator/stats -> 200 10B 0.1ms",
        "a line that is not a request",
    ]

    summary = report.request_summary({"requests_total": 6, "by_status": {"429": 1}}, log)

    assert (summary["served"], summary["429"], summary["per_ticket"], summary["exports_served"]) == (5, 1, 2, 1)
    assert (summary["pages"], summary["per_row"], summary["estimates"]) == (
        3, {"tickets/{id}/side_conversations": 1}, 1)
    assert summary["by_route"] == {"incremental/tickets/cursor": 2, "tickets/{id}/audits": 1, "tickets/{id}/metrics": 1,
                                   "tickets/{id}/side_conversations": 1, "tickets/count": 1}
    assert summary["429_by_route"] == {"incremental/tickets/cursor": 1}


def test_every_level_of_a_nested_list_is_a_per_row_request_counted_by_route():
    host = "GET https://acme.zendesk.com/api/v2/"
    log = [
        f"{host}help_center/incremental/articles.json?start_time=1 -> 200 4000B 3.0ms",
        f"{host}help_center/articles/10/comments.json?page[size]=100 -> 200 900B 1.0ms",  # article_comments
        f"{host}help_center/articles/10/comments.json?page[size]=100 -> 200 900B 1.0ms",  # article_comment_votes
        f"{host}help_center/articles/10/comments.json?page[after]=x -> 200 900B 1.0ms",
        f"{host}help_center/articles/10/comments/100/votes.json?page[size]=100 -> 200 900B 1.0ms",
        f"{host}help_center/articles/10/votes.json?page[size]=100 -> 429 80B 0.2ms",
        f"{host}help_center/articles/10/votes.json?page[size]=100 -> 200 900B 1.0ms",
        f"{host}community/posts/5/comments/6/votes.json -> 200 900B 1.0ms",
    ]

    summary = report.request_summary({"requests_total": 8}, log)

    assert summary["per_row"] == {"community/posts/{id}/comments/{id}/votes": 1,
                                  "help_center/articles/{id}/comments": 3,
                                  "help_center/articles/{id}/comments/{id}/votes": 1,
                                  "help_center/articles/{id}/votes": 1}
    assert (summary["pages"], summary["served"], summary["per_ticket"], summary["429"]) == (1, 7, 0, 1)


def _lines(*messages: dict) -> list[bytes]:
    return [json.dumps(m, separators=(",", ":")).encode() + b"\n" for m in messages]


def test_scan_counts_airbyte_records_per_stream_and_keeps_the_newest_state_of_each():
    scan = Scan("airbyte")
    state = lambda name, value: {"type": "STATE", "state": {"type": "STREAM", "stream": {  # noqa: E731
        "stream_descriptor": {"name": name}, "stream_state": {"v": value}}}}
    for line in _lines(
        {"type": "RECORD", "record": {"stream": "tickets", "data": {"id": 1, "stream": "not this"}, "emitted_at": 1}},
        {"type": "RECORD", "record": {"stream": "tickets", "data": {"id": 2}, "emitted_at": 1}},
        state("tickets", 1),
        {"type": "RECORD", "record": {"stream": "users", "data": {"id": 3}, "emitted_at": 1}},
        state("tickets", 2),
        {"type": "TRACE", "trace": {"type": "ERROR", "error": {"message": "boom"}}},
        {"type": "LOG", "log": {"level": "INFO", "message": "\"RECORD\" \"stream\":\"x\""}},
    ):
        scan.line(line)

    assert scan.records == {"tickets": 2, "users": 1}
    assert [s["stream"]["stream_state"] for s in scan.resume_state()] == [{"v": 2}]
    assert scan.errors == ["boom"]


def test_scan_counts_singer_records_and_keeps_the_last_state_value():
    scan = Scan("singer")
    for line in _lines({"type": "RECORD", "stream": "tickets", "record": {"id": 1}},
                       {"type": "STATE", "value": {"bookmarks": {"tickets": 1}}},
                       {"type": "STATE", "value": {"bookmarks": {"tickets": 2}}}):
        scan.line(line)

    assert scan.records == {"tickets": 1}
    assert scan.resume_state() == {"bookmarks": {"tickets": 2}}


def _run(records: int, cpu: float, **extra) -> dict:
    return {"records_total": records, "cpu_seconds": cpu, "peak_rss_mb": 120.0, "wall_seconds": 10.0,
            "exit_code": 0, "minimum_total": 263,
            "streams": ["tickets", "side_conversations", "article_comments", "article_comment_votes"],
            "per_row_minimum": {"tickets/{id}/side_conversations": 990, "help_center/articles/{id}/comments": 80},
            "requests": {"served": 1343, "pages": 263, "per_row": {"tickets/{id}/side_conversations": 1000,
                                                                   "help_center/articles/{id}/comments": 80},
                         "429": 0, "per_ticket": 0}, **extra}


def test_targets_are_decided_from_ours_figures_and_against_the_official_on_its_own_streams():
    routes = {"help_center/articles/{id}/comments": {"levels": {
        "article_comments": {"minimum": 40}, "article_comment_votes level 1": {"minimum": 40}}}}
    results = {"tickets": 100_000, "scenarios": {
        "full": {"per_row": {"routes": routes},
                 "runs": {"ours": _run(300_000, 15.0), "official": _run(200_000, 1000.0),
                          "ours@official": _run(250_000, 100.0), "floor": _run(300_000, 14.0)}},
        "rate_limited": {"runs": {"ours": _run(300_000, 15.0, limit_floor_seconds=100.0, wall_over_floor=1.2)}},
    }}

    checks = {c["target"]: c for c in report.targets(results, {1_000_000: 125.0})}

    official = checks["full sync: records per CPU-second >= 20x official's on the official's streams"]
    assert official["met"] is False and official["value"].startswith("12.50x (2,500 vs 200)")
    assert checks["full sync: records per CPU-second >= 0.7x floor's"]["met"] is True
    assert checks["full sync: requests <= 1.05x the minimum"]["met"] is True  # the per-row requests apart
    assert checks["full sync: tickets/{id}/side_conversations per-row requests <= 1.05x its minimum"]["met"] is True
    comments = checks["full sync: help_center/articles/{id}/comments per-row requests <= 1.05x its minimum"]
    assert comments["met"] is True and comments["value"] == (
        "80 for a minimum of 80 (1.00x); article_comments 40 + article_comment_votes level 1 40")
    assert checks["peak RSS flat (within 10%) between 100,000 and 1,000,000 tickets"]["met"] is True
    assert checks["rate-limited: wall <= 1.10x the limit floor"]["met"] is False


def test_routes_are_attributed_to_the_stream_they_serve():
    assert report.stream_of_route("incremental/tickets/cursor") == "tickets"
    assert report.stream_of_route("incremental/ticket_events") == "ticket_events"
    assert report.stream_of_route("tickets/{id}/side_conversations") == "side_conversations"
    assert report.stream_of_route("tickets/{id}/metrics") == "ticket_metrics"  # the official's per-ticket metrics
    assert report.stream_of_route("ticket_metric_events") == "ticket_metric_events"
    assert report.stream_of_route("search") is None


def test_the_projection_scales_each_streams_requests_per_record_and_takes_the_slower_of_limits_and_cpu():
    truth = {"tickets": 100_000, "ticket_events": 400_000, "ticket_comments": 500_000, "side_conversations": 1000}
    run = {"exit_code": 0, "timed_out": False, "records_total": 1_001_000, "cpu_seconds": 100.0,
           "streams": ["tickets", "ticket_events", "ticket_comments", "side_conversations"],
           "records": dict(truth), "requests": {"by_route": {
               "incremental/tickets/cursor": 100, "incremental/ticket_events": 400,
               "tickets/{id}/side_conversations": 99_000}}}
    results = {"scenarios": {"full": {"truth": truth, "runs": {"ours": run}},
                             "rate_limited": {"runs": {"ours": {"exit_code": 0, "wall_over_floor": 1.5}}}}}

    projected = report.projection(results)["readers"]["ours"]

    # tickets x10, the ticket event export x10 (5,000,000 comments for 500,000 here)
    assert (projected["requests"], projected["exports"]) == (1000 + 4000 + 990_000, 5000)
    floor_hours = max(5000 / 10, 995_000 / 700) / 60
    assert projected["limit_floor_hours"] == pytest.approx(floor_hours, abs=0.05)
    assert projected["hours"] == pytest.approx(floor_hours * 1.5, abs=0.1)
    assert projected["cpu_hours"] == pytest.approx((1_000_000 + 4_000_000 + 5_000_000 + 10_000) / 10_010 / 3600,
                                                   abs=0.05)


def test_results_of_two_invocations_on_the_same_account_merge_their_scenarios():
    full = {"seed": 1, "tickets": 10, "streams": ["tickets"], "command": "a", "scenarios": {"full": {"x": 1}},
            "targets": [{"target": "t1"}]}
    limited = {"seed": 1, "tickets": 10, "streams": ["tickets"], "command": "b",
               "scenarios": {"rate_limited": {"y": 2}}, "targets": [{"target": "t2"}]}

    both = report.merged([full, limited])

    assert both["scenarios"] == {"full": {"x": 1}, "rate_limited": {"y": 2}} and full["scenarios"] == {"full": {"x": 1}}
    assert [t["target"] for t in both["targets"]] == ["t1", "t2"]
    with pytest.raises(ValueError):
        report.merged([full, {**limited, "tickets": 11}])


def test_a_stream_subset_names_streams_of_the_catalog_and_guide_names_the_twelve_help_center_and_community_streams():
    from bench.run import parse_args

    guide = parse_args(["--streams", "guide"]).streams
    assert len(guide) == 12 and {"articles", "post_comment_votes", "topics"} <= set(guide)
    assert "tickets" not in guide
    assert parse_args(["--streams", "users,tickets"]).streams == ["tickets", "users"]  # in the catalog's order
    assert len(parse_args([]).streams) == len(STREAMS)
    with pytest.raises(SystemExit):
        parse_args(["--streams", "tickets,no_such_stream"])
