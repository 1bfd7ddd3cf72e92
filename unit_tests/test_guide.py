"""Help Center and community (Guide): the article export's end, and the streams Zendesk lists only per article or per
post: which parents are asked, when their state moves, resuming, and the official connector's state shapes."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from airbyte_cdk.models import FailureType

from source_zendesk_support.errors import CREDENTIALS_REJECTED

from .harness import DAY, NOW_TS, START, api_token_config, error_traces, read, records_of, states_of, warnings
from .zendesk_http import ZendeskMock, ZendeskRequest, ZendeskResponse, iso, record, template

EXPORT = "help_center/incremental/articles.json"
POSTS = "community/posts.json"
SAVED = START + 10 * DAY


def _export_request(start: int) -> ZendeskRequest:
    return ZendeskRequest(EXPORT, (("start_time", str(start)),))


def _export(zendesk: ZendeskMock, start: int, articles: Sequence[dict], end: int | None = None,
            next_start: int | None = None) -> ZendeskRequest:
    """One page of the article export asked from `start`; its next page starts at `next_start` (None: the last)."""
    request, body = _export_request(start), template("articles")
    following = _export_request(next_start) if next_start is not None else None
    body.update(articles=list(articles), count=len(articles), end_time=end or start,
                next_page=following.url if following else None)
    zendesk.expect(request, ZendeskResponse.ok(body))
    return request


def _article(article_id: int, updated: int, **fields) -> dict:
    return record("articles", "articles", id=article_id, updated_at=iso(updated), **fields)


def _post(post_id: int, updated: int, **fields) -> dict:
    return record("posts", "posts", id=post_id, updated_at=iso(updated), **fields)


def _list(path: str, after: str | None = None) -> ZendeskRequest:
    return ZendeskRequest(path, (("page[size]", "100"),) + ((("page[after]", after),) if after else ()))


def _page(fixture: str, key: str, records: Sequence[dict], following: ZendeskRequest | None = None) -> ZendeskResponse:
    body = template(fixture)
    body[key] = list(records)
    body["meta"]["has_more"] = following is not None
    body["links"]["next"] = following.url if following else None
    return ZendeskResponse.ok(body)


def _comments(zendesk: ZendeskMock, path: str, fixture: str, ids: Sequence[int], **fields) -> None:
    zendesk.expect(_list(path), _page(fixture, "comments", [record(fixture, "comments", id=i, **fields) for i in ids]))


def _posts(zendesk: ZendeskMock, pages: Sequence[Sequence[dict]]) -> list[ZendeskRequest]:
    requests = [_list(POSTS, f"p{n}" if n else None) for n in range(len(pages))]
    for n, posts in enumerate(pages):
        following = requests[n + 1] if n + 1 < len(pages) else None
        zendesk.expect(requests[n], _page("posts", "posts", posts, following))
    return requests


def _ids(output, stream: str) -> list[int]:
    return [row["id"] for row in records_of(output, stream)]


def _infos(output) -> list[str]:
    return [m.log.message for m in output.logs if m.log.level.value == "INFO"]


# -- the article export ----------------------------------------------------------------------------------------------
def test_given_an_export_whose_last_page_still_names_a_next_one_when_that_page_is_empty_then_the_export_ends(zendesk):
    _export(zendesk, START, [_article(1, START + DAY), _article(2, START + 2 * DAY)], START + 2 * DAY, START + 2 * DAY)
    _export(zendesk, START + 2 * DAY, [], START + 2 * DAY, START + 2 * DAY)

    output = read(api_token_config(), ["articles"])

    assert _ids(output, "articles") == [1, 2] and not error_traces(output)
    assert states_of(output, "articles")[-1] == {"updated_at": iso(START + 2 * DAY)}


# -- per article -------------------------------------------------------------------------------------------------------
def test_given_a_saved_state_when_article_comments_read_then_only_the_exported_articles_are_asked_each_once(zendesk):
    # The export from the state holds the articles changed since (Zendesk counts a comment as an update of its
    # article). Zendesk repeats article 6, at the boundary second, on the next page: it is not asked twice.
    _export(zendesk, SAVED, [_article(5, SAVED + 60), _article(6, SAVED + 120)], SAVED + 120, SAVED + 120)
    _export(zendesk, SAVED + 120, [_article(6, SAVED + 120), _article(7, SAVED + 180)], SAVED + 180)
    for article in (5, 6, 7):
        _comments(zendesk, f"help_center/articles/{article}/comments.json", "article_comments", [article * 10])

    output = read(api_token_config(), ["article_comments"], state={"article_comments": {"updated_at": iso(SAVED)}})

    assert _ids(output, "article_comments") == [50, 60, 70]
    assert states_of(output, "article_comments") == [{"updated_at": iso(SAVED + 120)}, {"updated_at": iso(SAVED + 180)}]
    assert "article_comments: 3 per-article requests for 3 articles" in _infos(output)


def test_given_articles_nobody_voted_on_when_article_votes_read_then_they_cost_no_request(zendesk):
    _export(zendesk, START, [_article(1, START + DAY, vote_count=2), _article(2, START + DAY, vote_count=0)], START + DAY)
    zendesk.expect(_list("help_center/articles/1/votes.json"),
                   _page("article_votes", "votes", [record("article_votes", "votes", id=11)]))

    output = read(api_token_config(), ["article_votes"])

    assert _ids(output, "article_votes") == [11]
    assert ("article_votes: 1 per-article requests for 1 articles (1 articles skipped as they cannot have any, "
            "0 refused by Zendesk)") in _infos(output)


def test_given_comment_votes_when_read_then_each_articles_comments_are_listed_and_only_voted_comments_asked(zendesk):
    _export(zendesk, START, [_article(1, START + DAY)], START + DAY)
    comments, more = _list("help_center/articles/1/comments.json"), _list("help_center/articles/1/comments.json", "c2")
    zendesk.expect(comments, _page("article_comments", "comments", [
        record("article_comments", "comments", id=11, source_id=1, vote_count=1),
        record("article_comments", "comments", id=12, source_id=1, vote_count=0)], following=more))
    zendesk.expect(more, _page("article_comments", "comments",
                               [record("article_comments", "comments", id=13, source_id=1, vote_count=2)]))
    for comment, votes in ((11, [101]), (13, [131, 132])):
        zendesk.expect(_list(f"help_center/articles/1/comments/{comment}/votes.json"), _page(
            "article_comment_votes", "votes", [record("article_comment_votes", "votes", id=v) for v in votes]))

    output = read(api_token_config(), ["article_comment_votes"])

    assert _ids(output, "article_comment_votes") == [101, 131, 132] and not error_traces(output)
    assert ("article_comment_votes: 2 per-article requests for 1 articles; 2 per-comment requests for 2 comments "
            "(1 comments skipped as they cannot have any, 0 refused by Zendesk)") in _infos(output)


def test_given_an_article_deleted_since_its_page_when_its_list_404s_then_only_that_article_is_skipped(zendesk):
    # Even as the first article asked: the export answering already proved Help Center is on.
    _export(zendesk, START, [_article(1, START + DAY), _article(2, START + DAY)], START + DAY)
    attachments = template("article_attachments")  # offset pages: one, whose next_page is null
    attachments["article_attachments"] = [record("article_attachments", "article_attachments", id=21)]
    for article, answer in ((1, ZendeskResponse.error(404, "error_not_found")), (2, ZendeskResponse.ok(attachments))):
        zendesk.expect(ZendeskRequest(f"help_center/articles/{article}/attachments.json", (("per_page", "100"),)), answer)

    output = read(api_token_config(), ["article_attachments"])

    assert _ids(output, "article_attachments") == [21] and not error_traces(output)
    skipped = [w for w in warnings(output) if "articles/1/attachments.json" in w]
    assert len(skipped) == 1 and "HTTP 404" in skipped[0]
    assert not any("Skipping stream" in w for w in warnings(output))
    assert states_of(output, "article_attachments")[-1] == {"updated_at": iso(START + DAY)}


def test_given_a_failure_on_the_second_pages_articles_when_resumed_then_that_page_is_asked_again_and_nothing_lost():
    first = [_article(1, START + DAY), _article(2, START + 2 * DAY)]
    second = [_article(3, START + 3 * DAY), _article(4, START + 4 * DAY)]
    with ZendeskMock() as zendesk:
        _export(zendesk, START, first, START + 2 * DAY, START + 2 * DAY)
        _export(zendesk, START + 2 * DAY, second, START + 4 * DAY)
        for article in (1, 2, 3):
            _comments(zendesk, f"help_center/articles/{article}/comments.json", "article_comments", [article * 10])
        zendesk.expect(_list("help_center/articles/4/comments.json"), ZendeskResponse.unauthorized())
        failed = read(api_token_config(), ["article_comments"], expect_failure=True)
        zendesk.verify()
    (trace,) = [t for t in error_traces(failed) if t.stream_descriptor]
    assert trace.failure_type == FailureType.config_error and trace.message == CREDENTIALS_REJECTED
    assert _ids(failed, "article_comments") == [10, 20, 30]
    saved = states_of(failed, "article_comments")[-1]
    assert saved == {"updated_at": iso(START + 2 * DAY)}  # not past the page whose article 4 was never read

    with ZendeskMock() as zendesk:
        _export(zendesk, START + 2 * DAY, second, START + 4 * DAY)
        for article in (3, 4):
            _comments(zendesk, f"help_center/articles/{article}/comments.json", "article_comments", [article * 10])
        resumed = read(api_token_config(), ["article_comments"], state={"article_comments": saved})
        zendesk.verify()
    assert _ids(resumed, "article_comments") == [30, 40]
    assert states_of(resumed, "article_comments")[-1] == {"updated_at": iso(START + 4 * DAY)}


def test_given_articles_and_the_per_article_streams_from_the_same_position_when_read_then_the_export_is_requested_once(zendesk):
    export = _export(zendesk, START, [_article(1, START + DAY, vote_count=1)], START + DAY)
    _comments(zendesk, "help_center/articles/1/comments.json", "article_comments", [10])
    zendesk.expect(_list("help_center/articles/1/votes.json"),
                   _page("article_votes", "votes", [record("article_votes", "votes", id=11)]))

    output = read(api_token_config(), ["articles", "article_comments", "article_votes"])

    assert (_ids(output, "articles"), _ids(output, "article_comments"), _ids(output, "article_votes")) == ([1], [10], [11])
    assert records_of(output, "articles")[0]["body"]  # the articles stream still gets its whole records
    assert len(zendesk.requests_to(export)) == 1 and not error_traces(output)


# -- per post --------------------------------------------------------------------------------------------------------
def test_given_a_saved_state_when_post_comments_read_then_only_changed_posts_with_comments_are_asked(zendesk):
    pages = _posts(zendesk, [
        [_post(1, SAVED - 100, comment_count=3), _post(2, SAVED + 100, comment_count=1)],  # 1: unchanged since
        [_post(3, SAVED + 200, comment_count=0), _post(4, SAVED + 300, comment_count=2)],  # 3: nothing to ask
    ])
    for post in (2, 4):
        _comments(zendesk, f"community/posts/{post}/comments.json", "post_comments", [post * 10], post_id=post)

    output = read(api_token_config(), ["post_comments"], state={"post_comments": {"updated_at": iso(SAVED)}})

    assert _ids(output, "post_comments") == [20, 40]
    # The list comes in id order, not by time: the state moves only once the whole list was read.
    assert states_of(output, "post_comments") == [
        {"updated_at": iso(SAVED), "_walk": {"high_water": iso(SAVED + 100), "next_url": pages[1].url,
                                             "began": iso(NOW_TS - 300)}},
        {"updated_at": iso(SAVED + 300)},
    ]
    assert ("post_comments: 2 per-post requests for 2 posts (1 posts skipped as they cannot have any, "
            "0 refused by Zendesk)") in _infos(output)


def test_given_post_comment_votes_when_read_then_posts_comments_then_voted_comments_are_asked(zendesk):
    _posts(zendesk, [[_post(1, START + DAY, comment_count=2), _post(2, START + DAY, comment_count=0)]])
    zendesk.expect(_list("community/posts/1/comments.json"), _page("post_comments", "comments", [
        record("post_comments", "comments", id=11, post_id=1, vote_count=0),
        record("post_comments", "comments", id=12, post_id=1, vote_count=3)]))
    zendesk.expect(_list("community/posts/1/comments/12/votes.json"), _page(
        "post_comment_votes", "votes", [record("post_comment_votes", "votes", id=v) for v in (121, 122)]))

    output = read(api_token_config(), ["post_comment_votes"])

    assert _ids(output, "post_comment_votes") == [121, 122] and not error_traces(output)
    assert states_of(output, "post_comment_votes")[-1] == {"updated_at": iso(START + DAY)}


def test_given_a_failure_on_the_second_pages_posts_when_resumed_then_it_restarts_at_that_page_with_the_old_floor():
    first, second = [_post(1, START + DAY), _post(2, START + 2 * DAY)], [_post(3, START + 3 * DAY), _post(4, START + DAY)]
    with ZendeskMock() as zendesk:
        pages = _posts(zendesk, [first, second])
        for post in (1, 2, 3):
            zendesk.expect(_list(f"community/posts/{post}/votes.json"),
                           _page("post_votes", "votes", [record("post_votes", "votes", id=post * 10)]))
        zendesk.expect(_list("community/posts/4/votes.json"), ZendeskResponse.unauthorized())
        failed = read(api_token_config(), ["post_votes"], expect_failure=True)
        zendesk.verify()
    saved = states_of(failed, "post_votes")[-1]
    # The walk keeps the moment it began (less Zendesk's 5 minutes), so a resumed walk moves the state no further.
    assert saved == {"updated_at": iso(START), "_walk": {"high_water": iso(START + 2 * DAY), "next_url": pages[1].url,
                                                         "began": iso(NOW_TS - 300)}}

    with ZendeskMock() as zendesk:
        zendesk.expect(pages[1], _page("posts", "posts", second))
        for post in (3, 4):
            zendesk.expect(_list(f"community/posts/{post}/votes.json"),
                           _page("post_votes", "votes", [record("post_votes", "votes", id=post * 10)]))
        resumed = read(api_token_config(), ["post_votes"], state={"post_votes": saved})
        zendesk.verify()
    assert _ids(resumed, "post_votes") == [30, 40]
    # A resumed walk keeps the cap it began under: the state reaches post 3, read in this walk.
    assert states_of(resumed, "post_votes")[-1] == {"updated_at": iso(START + 3 * DAY)}

    # A walk saved before `began` was kept falls back to its high water as the cap: post 3 is asked again next time.
    older = {"updated_at": saved["updated_at"], "_walk": {k: v for k, v in saved["_walk"].items() if k != "began"}}
    with ZendeskMock() as zendesk:
        zendesk.expect(pages[1], _page("posts", "posts", second))
        for post in (3, 4):
            zendesk.expect(_list(f"community/posts/{post}/votes.json"),
                           _page("post_votes", "votes", [record("post_votes", "votes", id=post * 10)]))
        resumed_older = read(api_token_config(), ["post_votes"], state={"post_votes": older})
        zendesk.verify()
    assert states_of(resumed_older, "post_votes")[-1] == {"updated_at": iso(START + 2 * DAY)}


# -- the official connector's state ------------------------------------------------------------------------------------
def _per_partition(parent: str, parent_state: dict) -> dict:
    """The official connector's state of a substream (CDK 6 per-partition cursor, incremental dependency)."""
    return {"use_global_cursor": False, "lookback_window": 0, "state": {"updated_at": "1704067300"},
            "states": [{"partition": {"id": 1, "parent_slice": {}}, "cursor": {"updated_at": "1704067300"}}],
            "parent_state": {parent: parent_state}}


ARTICLES_AT_SAVED = {"updated_at": str(SAVED)}


@pytest.mark.parametrize("stream, state", [
    ("articles", {"updated_at": str(SAVED)}),
    ("article_comments", _per_partition("articles", ARTICLES_AT_SAVED)),
    ("article_comment_votes", _per_partition("article_comments", _per_partition("articles", ARTICLES_AT_SAVED))),
], ids=["articles", "article_comments", "article_comment_votes"])
def test_given_the_official_state_of_an_article_stream_when_read_then_the_export_starts_at_its_articles_position(
    stream, state, zendesk
):
    _export(zendesk, SAVED, [], SAVED)

    output = read(api_token_config(), [stream], state={stream: state})

    assert records_of(output, stream) == [] and not error_traces(output)
    assert states_of(output, stream)[-1] == {"updated_at": iso(SAVED)}


@pytest.mark.parametrize("stream, state", [
    ("posts", {"updated_at": str(SAVED)}),
    ("post_comments", _per_partition("posts", {"updated_at": str(SAVED)})),
    ("post_comment_votes", _per_partition("post_comments", _per_partition("posts", {"updated_at": str(SAVED)}))),
], ids=["posts", "post_comments", "post_comment_votes"])
def test_given_the_official_state_of_a_post_stream_when_read_then_posts_before_its_position_are_left_out(
    stream, state, zendesk
):
    # Both posts changed before the official state: neither emitted nor asked for anything (the strict mock).
    _posts(zendesk, [[_post(1, SAVED - 60), _post(2, SAVED - 30)]])

    output = read(api_token_config(), [stream], state={stream: state})

    assert records_of(output, stream) == [] and not error_traces(output)
    assert states_of(output, stream)[-1] == {"updated_at": iso(SAVED)}
