"""The Help Center community (Zendesk Gather): topics, posts, and what members add to posts (comments, votes), which
Zendesk lists only per post.

Zendesk has no time filter on the post list, so every sync reads it whole (100 posts a page) and the per-post streams
ask only the posts whose `updated_at` is at or after their state, and of those only the ones whose counts say they
have something (`comment_count`, `vote_count` above 0). A comment or a vote updates its post (its `comment_count` or
`vote_count` moves with it), so a post with new ones is among them. The state moves once the whole list was read;
a sync cut short resumes at the page whose posts were not all asked.
"""

from __future__ import annotations

from ..paginators import PageCursorPaginator
from ..per_parent import PerParentList
from ..state import ListPosition
from .base import ZendeskStream

COMMUNITY = "the Help Center community (Zendesk Gather, Suite Professional and above) turned on"


def _per_post(path: str, records_key: str | None = None, nested: PerParentList | None = None) -> PerParentList:
    """One post's list, 100 a page; a post without comments is not asked for them. The post list answering is proof
    the community is on: a 404 for one post means it was deleted since its page was read, and skips that post only."""
    return PerParentList(path, PageCursorPaginator(), skip={"comment_count": 0}, noun="post", nested=nested,
                     records_key=records_key, gated=False)


class Topics(ZendeskStream):
    """Community discussion topics. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/topics/#list-topics
    """

    endpoint = "community/topics.json"
    records_key = "topics"
    paginator = PageCursorPaginator()
    position = ListPosition()
    requires = COMMUNITY


class Posts(ZendeskStream):
    """Community posts. No server-side time filter: read whole, filtered here.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/posts/#list-posts
    """

    endpoint = "community/posts.json"
    records_key = "posts"
    paginator = PageCursorPaginator()
    position = ListPosition()
    requires = COMMUNITY


class PerPost(ZendeskStream):
    """What every per-post stream shares: the post list's pages (its own requests, or the posts stream's when both
    are synced from the same position, sharing.py) and a position on the posts' `updated_at`. The official
    connector's state, `{"parent_state": {"posts": {"updated_at": ...}}, "states": [...]}`, is taken at its posts'
    position; its per-post cursors add nothing to it."""

    endpoint = Posts.endpoint
    paginator = Posts.paginator
    position = ListPosition(observe="posts")
    pages_of = "posts"
    requires = COMMUNITY
    legacy_state_keys: tuple[tuple[str, ...], ...] = (("parent_state", "posts", "updated_at"),)


class PostComments(PerPost):
    """Comments on the posts changed since the state.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/post_comments/#list-comments
    """

    records_key = "comments"
    per_parent = _per_post("community/posts/{id}/comments.json")


class PostVotes(PerPost):
    """Votes on the posts changed since the state; a post whose `vote_count` is 0 has none and is not asked.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/votes/#list-votes
    """

    records_key = "votes"
    per_parent = PerParentList("community/posts/{id}/votes.json", PageCursorPaginator(), skip={"vote_count": 0},
                         noun="post", gated=False)


class PostCommentVotes(PerPost):
    """Votes on the comments of the posts changed since the state: each such post's comments are listed, and each
    comment with votes (`vote_count` above 0) is asked for them. Whether Zendesk also counts a vote on a comment as an
    update of the post is not documented; the official connector relies on it the same way.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/votes/#list-votes
    """

    records_key = "votes"
    per_parent = _per_post(
        "community/posts/{id}/comments.json",
        records_key="comments",
        nested=PerParentList("community/posts/{post_id}/comments/{id}/votes.json", PageCursorPaginator(),
                         skip={"vote_count": 0}, noun="comment", gated=False),
    )
    legacy_state_keys = (
        ("parent_state", "post_comments", "parent_state", "posts", "updated_at"),
        ("parent_state", "posts", "updated_at"),
    )
