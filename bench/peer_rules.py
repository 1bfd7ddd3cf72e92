"""What each peer client should read of the emulated account, stream by stream, and why, read from its own code.

A rule gives the ids a peer must deliver for a stream (usually the emulator's whole truth for it, sometimes a
narrower or wider set the peer's code chooses), the reason with the line of the peer's code that decides it, and
how the peer's pages behave where that shows in a comparison (an export that hides its last minute, a time-based
export that repeats its boundary second). `peers_check.py` compares every stream a peer shares with our catalog
against its rule; a stream without a rule is compared with the whole truth and reported as unexplained.

Line numbers: official = `source_zendesk_support/manifest.yaml` / `components.py` / `source.py` of
airbyte-source-zendesk-support 4.9.1 (its venv, or the wheel unpacked at /tmp/official/whl); tap =
`tap_zendesk/streams.py` of tap-zendesk 2.8.2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Truth = Any  # Mapping[str, list[dict]]: the emulator's truth rows per resource, fetched on first use
Ids = Callable[[Truth, "Facts"], set]


@dataclass
class Facts:
    """What the truth rows do not say, gathered without trusting the peer under test.

    deleted_groups: `GET groups?exclude_deleted=false` records with `deleted: true` (the harness's own request).
    window_start: emulated now at the start of the read minus 60 s; exports hide records stamped after it.
    counts: the info file's counts (tickets_deleted cross-checks the tickets a peer reads as deleted).
    key_value: (row, stream) -> the row's key (our catalog's primary key, or natural key where there is none).
    """

    deleted_groups: set
    counts: dict[str, int]
    key_value: Callable[[dict, str], Any]
    window_start: float = 0.0

    def ids(self, rows: list[dict], stream: str) -> set:
        return {k for k in (self.key_value(row, stream) for row in rows) if k is not None}


@dataclass(frozen=True)
class Rule:
    reason: str  # why the peer reads what `expected` says, with the line of its code that decides it
    expected: Ids | None = None  # None: the whole truth of the stream
    export_cursor: str | None = None  # the export hides rows whose field is within its last minute at read time
    repeats: str | None = None  # why records may come twice (a time-based export's boundary second)

    def ids(self, stream: str, truth: Truth, facts: Facts) -> set:
        return self.expected(truth, facts) if self.expected else facts.ids(truth[stream], stream)


def _truth_of(resource: str) -> Ids:
    """Another truth table than the stream's own (e.g. `ticket_metrics_all`: archived tickets' too)."""
    return lambda truth, facts: facts.ids(truth[resource], resource.removesuffix("_all"))


def _groups_but_deleted(truth: Truth, facts: Facts) -> set:
    return facts.ids(truth["groups"], "groups") - facts.deleted_groups


def _comments_of_tickets_not_deleted(truth: Truth, facts: Facts) -> set:
    deleted = {t["id"] for t in truth["tickets"] if t["status"] == "deleted"}
    return facts.ids([c for c in truth["ticket_comments"] if c["ticket_id"] not in deleted], "ticket_comments")


_BOUNDARY = "time-based export: the boundary second comes again on the next page"
_NO_DELETED_GROUPS = "deleted groups absent: the peer lists groups without exclude_deleted=false"
# The semi-incremental streams of the official manifest (manifest.yaml:70-91): the list read whole, then
# `record[cursor] >= stream_interval.start_time or config.start_date` compared as strings in the record selector.
# The harness's start date is ten years back, so a full sync filters nothing out.
_SEMI = "semi-incremental: whole list, filtered client-side on {cursor} >= start date as strings (manifest.yaml:77)"


def _semi(where: str, cursor: str = "updated_at", also: str = "") -> Rule:
    return Rule(f"{_SEMI.format(cursor=cursor)}; GET {where}" + (f"; {also}" if also else ""))


OFFICIAL: dict[str, Rule] = {
    # Exports
    "tickets": Rule("cursor export incremental/tickets/cursor.json from start_time (manifest.yaml:882-894): every "
                    "ticket, deleted ones as status deleted, archived ones included", export_cursor="generated_timestamp"),
    "users": Rule("cursor export incremental/users/cursor.json (manifest.yaml:1017-1029): every user, deleted "
                  "ones included", export_cursor="updated_at"),
    "user_identities": Rule("the users export again with include=identities, records from the `identities` "
                            "sideload (manifest.yaml:1031-1047): every user's identities"),
    "organizations": Rule("time-based export incremental/organizations following next_page to end_of_stream "
                          "(manifest.yaml:520-532)", export_cursor="updated_at", repeats=_BOUNDARY),
    "ticket_comments": Rule(
        "time-based ticket event export with include=comment_events (manifest.yaml:783-805); "
        "ZendeskSupportExtractorEvents (components.py:10-28) keeps every Comment child event, archived and deleted "
        "tickets' included, copying ticket_id/timestamp/via_reference_id from the event",
        export_cursor="created_at", repeats=_BOUNDARY),
    "ticket_metric_events": Rule("metric event export incremental/ticket_metric_events, page[size]=100 following "
                                 "links.next (manifest.yaml:851-863): every event", export_cursor="time"),
    # Lists read whole
    "tags": Rule("full refresh: GET tags, cursor pages (manifest.yaml:187-196)"),
    "brands": Rule("full refresh: GET brands, cursor pages (manifest.yaml:168-178)"),
    "user_fields": Rule("full refresh: GET user_fields, offset pages (manifest.yaml:180-185)"),
    "automations": Rule("full refresh: GET automations, cursor pages, no `active` filter so active and inactive "
                        "(manifest.yaml:198-207)"),
    "account_attributes": Rule("full refresh: GET routing/attributes, records under `attributes` "
                               "(manifest.yaml:146-152); offered only when its enterprise probe works (source.py:81-102)"),
    "attribute_definitions": Rule(
        "GET routing/attributes/definitions flattened by ZendeskSupportAttributeDefinitionsExtractor "
        "(components.py:31-43): every conditions_all row with condition 'all', every conditions_any row with 'any'; "
        "no primary key, so compared on (condition, subject); offered only when its enterprise probe works"),
    "groups": Rule(_NO_DELETED_GROUPS + " (manifest.yaml:473-479, semi-incremental)", _groups_but_deleted),
    "group_memberships": _semi("group_memberships, cursor pages (manifest.yaml:461-471)"),
    "macros": _semi("macros?sort_by=created_at&sort_order=asc, cursor pages (manifest.yaml:481-498); no `active` "
                    "filter"),
    "ticket_fields": _semi("ticket_fields, cursor pages (manifest.yaml:807-817)"),
    "ticket_forms": _semi("ticket_forms following next_page (manifest.yaml:819-849)",
                          also="offered only when its enterprise probe works (source.py:81-102)"),
    "organization_fields": _semi("organization_fields, offset pages (manifest.yaml:500-506)"),
    "organization_memberships": _semi("organization_memberships, cursor pages (manifest.yaml:508-518)"),
    "custom_roles": _semi("custom_roles following next_page (manifest.yaml:442-459)"),
    "schedules": _semi("business_hours/schedules.json (manifest.yaml:685-699)"),
    "sla_policies": _semi("slas/policies.json (manifest.yaml:701-717)"),
    "triggers": _semi("triggers, offset pages, no `active` filter (manifest.yaml:1009-1015)"),
    "ticket_activities": _semi("activities?sort=created_at&sort_order=asc, cursor pages (manifest.yaml:719-736)",
                               also="Zendesk lists only the activities of the requesting agent (the account owner)"),
    "ticket_skips": _semi("skips.json?sort_order=desc, cursor pages (manifest.yaml:865-880)",
                          also="skips of deleted and archived tickets are not listed"),
    "ticket_audits": _semi("ticket_audits?sort_by=created_at&sort_order=desc following before_url "
                           "(manifest.yaml:738-781)", cursor="created_at",
                           also="archived and deleted tickets' audits are not listed"),
    # Incremental lists filtered by the API
    "satisfaction_ratings": Rule("GET satisfaction_ratings?sort=created_at&start_time=<start date, unix>, cursor "
                                 "pages (manifest.yaml:668-683): the default list (offered, good and bad ratings)"),
    "audit_logs": Rule("GET audit_logs?filter[created_at][]=<start date>&filter[created_at][]=<now>&sort=created_at, "
                       "cursor pages (manifest.yaml:414-440): every entry"),
    "ticket_metrics": Rule("with no state GET ticket_metrics, cursor pages (manifest.yaml:896-932): the metric sets "
                           "of tickets neither archived nor deleted"),
}

TAP: dict[str, Rule] = {
    "tickets": Rule("cursor export with include=metric_sets (streams.py:270-283)", export_cursor="generated_timestamp"),
    "users": Rule("cursor export incremental/users/cursor.json (streams.py:231-236)", export_cursor="updated_at"),
    "organizations": Rule("zenpy's time-based export incremental/organizations.json (streams.py:193-229)",
                          export_cursor="updated_at", repeats=_BOUNDARY),
    "groups": Rule(_NO_DELETED_GROUPS + " (streams.py:564-580)", _groups_but_deleted),
    "group_memberships": Rule("GET group_memberships, cursor pages, filtered on updated_at >= start date "
                              "(streams.py:670-697)"),
    "macros": Rule("GET macros, cursor pages, filtered on updated_at >= start date (streams.py:583-600)"),
    "tags": Rule("GET tags, cursor pages (streams.py:602-613)"),
    "ticket_fields": Rule("GET ticket_fields, cursor pages, filtered on updated_at (streams.py:615-632)"),
    "ticket_forms": Rule("zenpy GET ticket_forms.json, filtered on updated_at >= start date (streams.py:634-650)"),
    "sla_policies": Rule("zenpy GET slas/policies.json, full table (streams.py:699-706)"),
    "satisfaction_ratings": Rule("GET satisfaction_ratings?start_time=<start date, unix>, cursor pages, filtered on "
                                 "updated_at (streams.py:545-562)"),
    "ticket_metric_events": Rule("zenpy's time-based export incremental/ticket_metric_events.json from a second "
                                 "before the start date (streams.py:471-489)", export_cursor="time", repeats=_BOUNDARY),
    "ticket_metrics": Rule("the metric_set sideloaded on each non-deleted exported ticket (streams.py:318-321): also "
                           "archived tickets' (not in /ticket_metrics)", _truth_of("ticket_metrics_all")),
    "ticket_audits": Rule("tickets/{id}/audits.json per non-deleted exported ticket (streams.py:322-335, 403-406): "
                          "also archived tickets' audits", _truth_of("ticket_audits_all")),
    "ticket_comments": Rule("the Comment events of those per-ticket audits (streams.py:424-440): every comment of "
                            "every ticket not deleted, archived ones included", _comments_of_tickets_not_deleted),
}

# Help Center and community (manifest.yaml:209-412, 534-666, 997-1008). Children are SubstreamPartitionRouter
# partitions of their parent stream read whole on a first sync (`incremental_dependency: true`), so the whole truth.
_PER_ARTICLE = "one request per article of the export ({path}, manifest.yaml:{lines}): every article's {what}"
_PER_POST = "one request per post of community/posts ({path}, manifest.yaml:{lines}): every post's {what}"
OFFICIAL.update({
    "categories": Rule("full refresh: GET help_center/categories, cursor pages (manifest.yaml:209-218)"),
    "sections": Rule("full refresh: GET help_center/sections, cursor pages (manifest.yaml:220-230)"),
    "topics": _semi("community/topics, cursor pages (manifest.yaml:997-1008)"),
    "articles": Rule("incremental article export help_center/incremental/articles?start_time=<start date> following "
                     "next_page until an empty page (manifest.yaml:232-261): every article"),
    "article_attachments": Rule(_PER_ARTICLE.format(path="help_center/articles/{id}/attachments", lines="263-304",
                                                    what="attachments (and their files, file_uploader)")),
    "article_comments": Rule(_PER_ARTICLE.format(path="help_center/articles/{id}/comments, cursor pages",
                                                 lines="306-344", what="comments")),
    "article_votes": Rule(_PER_ARTICLE.format(path="help_center/articles/{id}/votes, cursor pages", lines="346-378",
                                              what="votes")),
    "article_comment_votes": Rule("one request per article comment (help_center/articles/{a}/comments/{c}/votes, "
                                  "manifest.yaml:380-412): every comment's votes"),
    "posts": Rule("GET community/posts, cursor pages, a start_time the API ignores (manifest.yaml:534-558): every "
                  "post"),
    "post_comments": Rule(_PER_POST.format(path="community/posts/{id}/comments", lines="560-598", what="comments")),
    "post_votes": Rule(_PER_POST.format(path="community/posts/{id}/votes", lines="600-632", what="votes")),
    "post_comment_votes": Rule("one request per post comment (community/posts/{p}/comments/{c}/votes, "
                               "manifest.yaml:634-666): every comment's votes"),
})

# By peer family: `official-enterprise` runs the official connector's own code too (peers.py).
RULES: dict[str, dict[str, Rule]] = {"official": OFFICIAL, "tap": TAP}

# Streams of the official catalog that are not Zendesk Support's: Help Center and community (manifest.yaml paths
# help_center/..., community/...). The emulator serves them (zendesk_emulator/data/guide.py), so a peer's are read
# and compared with the truth whether or not our connector has them yet (key `id`).
HELP_CENTER = frozenset({
    "articles", "article_attachments", "article_comments", "article_votes", "article_comment_votes", "categories",
    "sections", "topics", "posts", "post_comments", "post_votes", "post_comment_votes",
})
# Their truth rows are whole records; these fields are compared value for value (cursor, parent ids, counts).
GUIDE_FIELDS = ("updated_at", "category_id", "section_id", "article_id", "source_id", "topic_id", "post_id",
                "item_id", "item_type", "value", "vote_count", "vote_sum", "comment_count")


def family(peer: str) -> str:
    return "official" if peer.startswith("official") else peer


def rule_for(peer: str, stream: str) -> Rule | None:
    return RULES.get(family(peer), {}).get(stream)


def not_ours_reason(stream: str) -> str:
    return "not a stream of our connector"
