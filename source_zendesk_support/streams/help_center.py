"""Help Center (Zendesk Guide): the knowledge base's categories, sections and articles, and what readers add to the
articles (comments, votes, attachments), which Zendesk lists only per article.

The per-article streams read the incremental article export from their own state and ask each article on its pages
for its list (per_parent.py): an incremental sync asks only the articles changed since then. Zendesk counts a comment
or a vote as an update of its article ("The updated_at property ... also records when other article updates were
made, such as when somebody added a comment to the article",
https://developer.zendesk.com/documentation/help_center/help-center-api/using-the-help-center-api/using-the-help-center-api-to-manage-article-translations/;
a vote moves the article's `vote_count` and `vote_sum`), so the article comes back in the export. Each page's
articles are all read before the position moves past the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..paginators import ArticleExportPaginator, NextPagePaginator, PageCursorPaginator, Paginator
from ..per_parent import PerParentList
from ..state import EndTimePosition
from .base import ZendeskStream

HELP_CENTER = "Help Center (Zendesk Guide) turned on"


def _per_article(path: str, skip: Mapping[str, Any] | None = None, nested: PerParentList | None = None,
                 records_key: str | None = None, paginator: Paginator | None = None,
                 params: Mapping[str, Any] | None = None) -> PerParentList:
    """One article's list, 100 a page. The export answering is proof Help Center is on: a 404 for one article means
    it was deleted since its page was read, and skips that article only."""
    return PerParentList(path, paginator or PageCursorPaginator(), params=params or {}, skip=skip or {}, noun="article",
                     nested=nested, records_key=records_key, gated=False)


class Categories(ZendeskStream):
    """The knowledge base's categories (in the default locale). Full refresh, as the official connector.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/categories/#list-categories
    """

    endpoint = "help_center/categories.json"
    records_key = "categories"
    paginator = PageCursorPaginator()
    requires = HELP_CENTER


class Sections(ZendeskStream):
    """The knowledge base's sections, subsections included (`parent_section_id`). Full refresh, as the official
    connector.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/sections/#list-sections
    """

    endpoint = "help_center/sections.json"
    records_key = "sections"
    paginator = PageCursorPaginator()
    requires = HELP_CENTER


class Articles(ZendeskStream):
    """Articles changed since the state, from the incremental article export (agents and admins only), up to 1,000 a
    page. Its state is the page's `end_time`, the next `start_time`; an article Zendesk repeats at that boundary is
    emitted once. The official connector's `{"updated_at": "<unix seconds>"}` is taken as is.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/articles/#list-articles
    """

    endpoint = "help_center/incremental/articles.json"
    records_key = "articles"
    paginator = ArticleExportPaginator()
    position = EndTimePosition()
    requires = HELP_CENTER


class PerArticle(ZendeskStream):
    """What every per-article stream shares: the article export's pages (its own requests, or the articles stream's
    when both are synced from the same position, sharing.py) and a position on those pages. The official connector's
    state, `{"parent_state": {"articles": {"updated_at": ...}}, "states": [...]}`, is taken at its articles'
    position; its per-article cursors add nothing to it."""

    endpoint = Articles.endpoint
    paginator = Articles.paginator
    position = EndTimePosition(observe="articles")
    pages_of = "articles"
    requires = HELP_CENTER
    legacy_state_keys: tuple[tuple[str, ...], ...] = (("parent_state", "articles", "updated_at"),)


class ArticleAttachments(PerArticle):
    """Files attached to the articles changed since the state, inline images and listed files alike (the records
    only: the files stay at their `content_url`).
    https://developer.zendesk.com/api-reference/help_center/help-center-api/article_attachments/#list-article-attachments
    """

    records_key = "article_attachments"
    # Offset pages of at most 100 ("By default, pagination returns the maximum attachments per page, which is 100"):
    # `next_page` is followed until null, so an article listing all of its files in one answer is read in one.
    per_parent = _per_article("help_center/articles/{id}/attachments.json", paginator=NextPagePaginator(),
                            params={"per_page": 100})


class ArticleComments(PerArticle):
    """Comments on the articles changed since the state (a new comment updates its article).
    https://developer.zendesk.com/api-reference/help_center/help-center-api/article_comments/#list-comments
    """

    records_key = "comments"
    per_parent = _per_article("help_center/articles/{id}/comments.json")


class ArticleVotes(PerArticle):
    """Votes on the articles changed since the state; an article whose `vote_count` is 0 has none and is not asked.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/votes/#list-votes
    """

    records_key = "votes"
    per_parent = _per_article("help_center/articles/{id}/votes.json", skip={"vote_count": 0})


class ArticleCommentVotes(PerArticle):
    """Votes on the comments of the articles changed since the state: each such article's comments are listed, and
    each comment with votes (`vote_count` above 0) is asked for them. Whether Zendesk also counts a vote on a comment
    as an update of the article is not documented; the official connector relies on it the same way.
    https://developer.zendesk.com/api-reference/help_center/help-center-api/votes/#list-votes
    """

    records_key = "votes"
    per_parent = _per_article(
        "help_center/articles/{id}/comments.json",
        records_key="comments",
        nested=PerParentList("help_center/articles/{source_id}/comments/{id}/votes.json", PageCursorPaginator(),
                         skip={"vote_count": 0}, noun="comment", gated=False),
    )
    legacy_state_keys = (
        ("parent_state", "article_comments", "parent_state", "articles", "updated_at"),
        ("parent_state", "articles", "updated_at"),
    )
