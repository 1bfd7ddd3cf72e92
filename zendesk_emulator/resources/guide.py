"""Help Center (categories, sections, articles and what hangs on them) and community (topics, posts, their comments
and votes): data/guide.py builds them, api/guide_routes.py serves them, data/guide_mutate.py changes them. Each
truth is every record whole, exactly as the API serves it."""

from __future__ import annotations

from ..api import guide_routes as hc
from ..api.guide_routes import HC
from ..data import guide, guide_mutate, ids
from .declaration import CatalogHandler, Handler, Resource, Route, catalog, routes


def _guided(handler: hc.Route) -> Handler:
    """Guide handlers take (dataset, request, path arguments)."""
    return lambda c: handler(c.ds, c.req, c.args)


def _one(stream: str, key: str) -> Handler:
    return lambda c: hc.one(c.ds, stream, c.args[0], key)


def _resource(stream: str, space: int, mutate: CatalogHandler, *triples: tuple[str, str, Handler],
              files: tuple[Route, ...] = ()) -> Resource:
    """Help Center's streams, or the community's (topics, posts and what hangs on them): each part can be off."""
    part = "community" if stream in guide.COMMUNITY_STREAMS else "help_center"
    return Resource(stream, routes(*triples) + files, ids=(space,), truth=guide.truth(stream), mutate=catalog(mutate),
                    guide=part)


RESOURCES = (
    _resource(
        "articles", ids.ARTICLE, guide_mutate.articles,
        ("help_center/incremental/articles", r"help_center/incremental/articles", _guided(hc.incremental_articles)),
        ("help_center/categories/{id}/articles", HC + r"categories/(\d+)/articles",
         lambda c: hc.articles(c.ds, c.req, c.args, "category")),
        ("help_center/sections/{id}/articles", HC + r"sections/(\d+)/articles",
         lambda c: hc.articles(c.ds, c.req, c.args, "section")),
        ("help_center/articles", HC + r"articles", _guided(hc.articles)),
        ("help_center/articles/{id}", HC + r"articles/(\d+)", _one("articles", "article")),
    ),
    _resource(
        "article_attachments", ids.ARTICLE_ATTACHMENT, guide_mutate.article_attachments,
        ("help_center/articles/{id}/attachments", HC + r"articles/(\d+)/attachments",
         _guided(hc.article_children("article_attachments", "article_attachments"))),
        ("help_center/articles/attachments/{id}", HC + r"articles/attachments/(\d+)",
         _one("article_attachments", "article_attachment")),
        # The file behind an attachment's content_url, outside the API.
        files=(Route("hc/article_attachments/{id}", r"hc/article_attachments/(\d+)(?:/[^/]+)?",
                     _guided(hc.attachment_file), api=False),),
    ),
    _resource(
        "article_comments", ids.ARTICLE_COMMENT, guide_mutate.article_comments,
        ("help_center/articles/{id}/comments", HC + r"articles/(\d+)/comments",
         _guided(hc.article_children("article_comments", "comments"))),
        ("help_center/articles/{id}/comments/{id}", HC + r"articles/(\d+)/comments/(\d+)",
         _guided(hc.comment("article_comments"))),
    ),
    _resource(
        "article_votes", ids.VOTE, guide_mutate.article_votes,  # one id space for every kind of vote, and one route for any vote by id
        ("help_center/articles/{id}/votes", HC + r"articles/(\d+)/votes",
         _guided(hc.article_children("article_votes", "votes"))),
        ("help_center/votes/{id}", HC + r"votes/(\d+)", _guided(hc.vote)),
    ),
    _resource(
        "article_comment_votes", ids.VOTE, guide_mutate.article_comment_votes,
        ("help_center/articles/{id}/comments/{id}/votes", HC + r"articles/(\d+)/comments/(\d+)/votes",
         _guided(hc.comment_votes("articles", "article_comments", "article_comment_votes"))),
    ),
    _resource(
        "categories", ids.HC_CATEGORY, guide_mutate.categories,
        ("help_center/categories", HC + r"categories", _guided(hc.categories)),
        ("help_center/categories/{id}", HC + r"categories/(\d+)", _one("categories", "category")),
    ),
    _resource(
        "sections", ids.HC_SECTION, guide_mutate.sections,
        ("help_center/categories/{id}/sections", HC + r"categories/(\d+)/sections", _guided(hc.sections)),
        ("help_center/sections", HC + r"sections", _guided(hc.sections)),
        ("help_center/sections/{id}", HC + r"sections/(\d+)", _one("sections", "section")),
    ),
    _resource(
        "topics", ids.TOPIC, guide_mutate.topics,
        ("community/topics", r"community/topics", _guided(hc.topics)),
        ("community/topics/{id}", r"community/topics/(\d+)", _one("topics", "topic")),
    ),
    _resource(
        "posts", ids.POST, guide_mutate.posts,
        ("community/topics/{id}/posts", r"community/topics/(\d+)/posts", _guided(hc.posts)),
        ("community/posts", r"community/posts", _guided(hc.posts)),
        ("community/posts/{id}", r"community/posts/(\d+)", _one("posts", "post")),
    ),
    _resource(
        "post_comments", ids.POST_COMMENT, guide_mutate.post_comments,
        ("community/posts/{id}/comments", r"community/posts/(\d+)/comments", _guided(hc.post_children("post_comments"))),
        ("community/posts/{id}/comments/{id}", r"community/posts/(\d+)/comments/(\d+)",
         _guided(hc.comment("post_comments"))),
    ),
    _resource(
        "post_votes", ids.VOTE, guide_mutate.post_votes,
        ("community/posts/{id}/votes", r"community/posts/(\d+)/votes", _guided(hc.post_children("post_votes"))),
    ),
    _resource(
        "post_comment_votes", ids.VOTE, guide_mutate.post_comment_votes,
        ("community/posts/{id}/comments/{id}/votes", r"community/posts/(\d+)/comments/(\d+)/votes",
         _guided(hc.comment_votes("posts", "post_comments", "post_comment_votes"))),
    ),
)
