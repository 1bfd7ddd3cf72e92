"""Help Center and community: every list walks each record once in both pagination styles, the incremental article
export pages by time without loss or repeats, children agree with their parents' counts and times, and mutations
show in the lists, the truth and the export at the mutation's time."""

from __future__ import annotations

import pytest

from zendesk_emulator.data import guide, ids
from zendesk_emulator.data.timefmt import iso, parse_iso
from zendesk_emulator.resources.registry import BY_NAME, GATES

from .test_account_helpers import ANCHOR, Client, cursor_pages, make_account, offset_pages, records

NOW = int(ANCHOR) + 1000


@pytest.fixture(scope="module")
def shared():
    account, _ = make_account(tickets=400)
    return account, Client(account)


@pytest.fixture
def fresh():
    account, clock = make_account(tickets=400)
    clock.advance(1000)
    return account, Client(account)


def _ids(rows: list[dict]) -> list[int]:
    return [r["id"] for r in rows]


def export(client: Client, start: int = 0, **params) -> list[dict]:
    """Pages of the incremental article export from `start` until the empty page."""
    return client.follow("help_center/incremental/articles.json", lambda p: p["next_page"],
                         lambda p: p["next_page"] is None, start_time=start, **params)


LISTS = [("help_center/categories.json", "categories", "categories"), ("help_center/sections.json", "sections", "sections"),
         ("help_center/articles.json", "articles", "articles"), ("help_center/en-us/articles.json", "articles", "articles"),
         ("community/topics.json", "topics", "topics"), ("community/posts.json", "posts", "posts")]


@pytest.mark.parametrize(("path", "key", "stream"), LISTS)
def test_given_a_list_when_walking_both_styles_then_every_record_comes_once_as_the_truth_holds_it(shared, path, key, stream):
    account, client = shared
    truth = account.truth(stream)
    by_cursor = records(cursor_pages(client, path, **{"page[size]": 7}), key)
    offset = offset_pages(client, path, per_page=7)
    assert sorted(_ids(by_cursor)) == sorted(_ids(records(offset, key))) == sorted(_ids(truth))
    assert len(set(_ids(by_cursor))) == len(by_cursor)
    assert {r["id"]: r for r in by_cursor} == {r["id"]: r for r in truth}  # records exactly as served
    first = offset[0]
    assert (first["page"], first["per_page"], first["count"], first["page_count"]) == (1, 7, len(truth), -(-len(truth) // 7))
    default = client.get(path)
    assert len(default[key]) == min(30, len(truth)) and default["per_page"] == 30


def test_given_sort_parameters_then_lists_come_in_that_order(shared):
    _, client = shared
    posts = client.get("community/posts.json", per_page=100)["posts"]
    assert [p["created_at"] for p in posts] == sorted((p["created_at"] for p in posts), reverse=True)  # newest first
    by_votes = client.get("community/posts.json", sort_by="votes", per_page=100)["posts"]
    assert [p["vote_sum"] for p in by_votes] == sorted((p["vote_sum"] for p in by_votes), reverse=True)
    planned = client.get("community/posts.json", filter_by="planned", per_page=100)["posts"]
    assert {p["status"] for p in planned} <= {"planned"}
    articles = client.get("help_center/articles.json", sort_by="updated_at", sort_order="desc", per_page=100)["articles"]
    assert [a["updated_at"] for a in articles] == sorted((a["updated_at"] for a in articles), reverse=True)
    sections = client.get("help_center/sections.json", per_page=100)["sections"]
    assert [s["position"] for s in sections] == sorted(s["position"] for s in sections)


def test_given_the_tree_then_children_agree_with_parents_counts_times_and_people(shared):
    account, client = shared
    truth = {s: account.truth(s) for s in guide.STREAMS}
    users = ids.USER + account.sizes.users
    start, end = ANCHOR - 4.1 * 365 * 86400, ANCHOR
    by_id = {s: {r["id"]: r for r in rows} for s, rows in truth.items()}
    for stream, (parent, key) in guide.PARENT_OF.items():
        for row in truth[stream]:
            owner = by_id[parent][row[key]]
            assert row["created_at"] >= owner["created_at"], (stream, row["id"])
            if stream in guide.TOUCHES:  # a child's change is its parent's update
                assert owner["updated_at"] >= row["updated_at"], (stream, row["id"])
            assert start < parse_iso(row["created_at"]) <= parse_iso(row["updated_at"]) < end
    for stream in guide.VOTE_ITEMS:
        item_stream = guide.PARENT_OF[stream][0]
        for item in truth[item_stream]:
            votes = [v for v in truth[stream] if v["item_id"] == item["id"]]
            assert (item["vote_count"], item["vote_sum"]) == (len(votes), sum(v["value"] for v in votes))
            assert len({v["user_id"] for v in votes}) == len(votes)  # one vote per user and item
    for post in truth["posts"]:
        assert post["comment_count"] == sum(c["post_id"] == post["id"] for c in truth["post_comments"])
    for stream in ("articles", "article_comments", "posts", "post_comments"):
        assert all(ids.USER < r["author_id"] <= users for r in truth[stream])
    assert all(a["author_id"] <= ids.USER + account.data.users.cols.agents for a in truth["articles"])  # staff write
    article = truth["article_comments"][0]["source_id"]
    served = cursor_pages(client, f"help_center/articles/{article}/comments.json", **{"page[size]": 1})
    mine = sorted((c for c in truth["article_comments"] if c["source_id"] == article), key=lambda c: (c["created_at"], c["id"]))
    assert _ids(records(served, "comments")) == _ids(mine)  # oldest first
    attachment = truth["article_attachments"][0]
    listed = client.get(f"help_center/articles/{attachment['article_id']}/attachments.json")
    assert attachment in listed["article_attachments"] and listed["next_page"] is None
    data = account.handle(_get(account, attachment["relative_path"]))
    assert (data.status, len(data.body), data.headers["Content-Type"]) == (200, attachment["size"], attachment["content_type"])


def _get(account, path: str):
    from zendesk_emulator.types import ApiRequest
    return ApiRequest("GET", path, {}, "https://acme.zendesk.com", account.admin_user_id)


def test_given_children_paths_then_unknown_or_mismatched_parents_answer_404(shared):
    account, client = shared
    comment = account.truth("article_comments")[0]
    other = next(a["id"] for a in account.truth("articles") if a["id"] != comment["source_id"])
    assert client.get(f"help_center/articles/{comment['source_id']}/comments/{comment['id']}.json")["comment"] == comment
    assert client.get(f"help_center/articles/{other}/comments/{comment['id']}/votes.json", status=404)["error"] == "RecordNotFound"
    assert client.get(f"community/posts/{ids.POST + 999_999}/comments.json", status=404)
    assert client.get(f"help_center/articles/{ids.ARTICLE + 999_999}/votes.json", status=404)


def test_given_the_article_export_then_pages_hold_every_article_once_and_end_with_an_empty_page(shared):
    account, client = shared
    pages = export(client, per_page=7)
    assert pages[-1]["articles"] == [] and pages[-1]["count"] == 0 and len(pages) == -(-len(account.truth("articles")) // 7) + 1
    got = records(pages, "articles")
    assert sorted(_ids(got)) == sorted(_ids(account.truth("articles")))
    assert [a["updated_at"] for a in got] == sorted(a["updated_at"] for a in got)
    for page in pages[:-1]:
        assert page["end_time"] == parse_iso(page["articles"][-1]["updated_at"])
        assert page["next_page"].endswith(f"start_time={page['end_time']}&per_page=7") or \
            f"start_time={page['end_time']}" in page["next_page"]
    assert client.get("help_center/incremental/articles.json", status=400)["error"] == "InvalidValue"


def test_given_articles_changed_in_one_second_then_an_export_page_holds_the_whole_second(fresh):
    account, client = fresh
    account.mutate("articles", create=10)
    pages = export(client, start=NOW - 1, per_page=3)
    assert [len(p["articles"]) for p in pages] == [10, 0]  # the page grows past per_page rather than split the second


def _by_id(account, stream: str) -> dict[int, dict]:
    return {r["id"]: r for r in account.truth(stream)}


@pytest.mark.parametrize("stream", guide.STREAMS)
def test_given_a_mutation_then_truth_and_lists_show_it_at_the_mutation_time(fresh, stream):
    account, _ = fresh
    before = _by_id(account, stream)
    update = 0 if stream == "article_attachments" else 1
    summary = account.mutate(stream, create=2, update=update, delete=1)
    after = _by_id(account, stream)
    assert [len(summary[k]) for k in ("created", "updated")] == [2, update]
    assert len(summary["deleted"]) == 1 or stream == "sections"  # a section goes with its subsections
    assert set(after) == (set(before) | set(summary["created"])) - set(summary["deleted"])
    for record_id in summary["created"] + summary["updated"]:
        assert after[record_id]["updated_at"] == iso(NOW)


def test_given_votes_and_comments_then_parents_counts_and_the_export_follow(fresh):
    account, client = fresh
    end = export(client)[-1]["end_time"]
    vote = account.mutate("article_votes", create=1)["created"][0]
    item = _by_id(account, "article_votes")[vote]["item_id"]
    article = _by_id(account, "articles")[item]
    assert article["updated_at"] == iso(NOW) and article["edited_at"] < iso(NOW)
    assert article["vote_count"] == sum(v["item_id"] == item for v in account.truth("article_votes"))
    flipped = account.mutate("article_votes", update=1)["updated"][0]
    voted = _by_id(account, "article_votes")[flipped]
    owner = _by_id(account, "articles")[voted["item_id"]]
    assert owner["vote_sum"] == sum(v["value"] for v in account.truth("article_votes") if v["item_id"] == owner["id"])
    edited = account.mutate("articles", update=1)["updated"][0]
    changed = records(export(client, start=end), "articles")
    assert sorted(_ids(changed)) == sorted({item, owner["id"], edited})
    assert _by_id(account, "articles")[edited]["edited_at"] == iso(NOW)
    comment = account.mutate("post_comments", create=1)["created"][0]
    post = _by_id(account, "posts")[_by_id(account, "post_comments")[comment]["post_id"]]
    assert post["updated_at"] == iso(NOW)
    assert post["comment_count"] == sum(c["post_id"] == post["id"] for c in account.truth("post_comments"))
    comment = account.mutate("article_comments", create=1)["created"][0]  # a comment updates its article
    article = _by_id(account, "article_comments")[comment]["source_id"]
    assert sorted(_ids(records(export(client, start=end), "articles"))) == sorted(set(_ids(changed)) | {article})
    comment_vote = account.mutate("post_comment_votes", create=1)["created"][0]
    voted_comment = _by_id(account, "post_comments")[_by_id(account, "post_comment_votes")[comment_vote]["item_id"]]
    assert voted_comment["updated_at"] == _by_id(account, "posts")[voted_comment["post_id"]]["updated_at"] == iso(NOW)


def test_given_deleted_articles_then_their_children_are_gone_everywhere(fresh):
    account, client = fresh
    gone = set(account.mutate("articles", delete=20)["deleted"])
    assert len(gone) == 20
    for stream in ("article_votes", "article_comments", "article_attachments"):
        key = guide.PARENT_OF[stream][1]
        assert not {r[key] for r in account.truth(stream)} & gone
    comment_owners = {c["id"] for c in account.truth("article_comments")}
    assert {v["item_id"] for v in account.truth("article_comment_votes")} <= comment_owners
    assert client.get(f"help_center/articles/{min(gone)}.json", status=404)
    assert not set(_ids(records(export(client), "articles"))) & gone


def test_given_the_same_seed_then_the_same_guide_and_another_seed_another(shared):
    account, _ = shared
    again, _ = make_account(tickets=400)
    other, _ = make_account(seed=2, tickets=400)
    assert [again.truth(s) for s in guide.STREAMS] == [account.truth(s) for s in guide.STREAMS]
    assert other.truth("articles") != account.truth("articles")


def test_the_settings_switches_turn_off_every_guide_stream_and_route():
    parts = {name: resource.guide for name, resource in BY_NAME.items() if resource.guide}
    assert parts == {**dict.fromkeys(guide.HELP_CENTER_STREAMS, "help_center"),
                     **dict.fromkeys(guide.COMMUNITY_STREAMS, "community")}
    for route, (_, part) in GATES.items():
        expected = ("help_center" if route.startswith(("help_center/", "hc/"))
                    else "community" if route.startswith("community/") else None)
        assert part == expected, route
